package io.regionkv.server;

/** A node's address on the network: {@code HOST:PORT}. */
public record HostPort(String host, int port) {

    /** Pekko joins only systems of the same name, so every regionkv process uses this one. */
    public static final String SYSTEM_NAME = "regionkv";

    /**
     * Reads {@code HOST:PORT} with a port in 1..65535 (the last colon separates them, so an IPv6 host
     * without brackets still parses).
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("needs HOST:PORT, got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("needs a port between 1 and 65535, got '" + text + "'");
        }
        return new HostPort(text.substring(0, colon), port);
    }

    /** The cluster address of the regionkv node listening here. */
    public String pekkoAddress() {
        return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
