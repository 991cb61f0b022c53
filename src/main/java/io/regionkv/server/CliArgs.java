package io.regionkv.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code --option value} pairs of one command line, one at a time, turning every malformed value
 * into a {@link UsageException} that names the option and what it got.
 */
final class CliArgs {

    private final String[] args;
    private int next;

    CliArgs(String[] args) {
        this.args = args.clone();
    }

    boolean hasNext() {
        return next < args.length;
    }

    /** The next option name. */
    String option() {
        return args[next++];
    }

    /** The value after {@code option}. */
    String value(String option, String what) throws UsageException {
        if (next >= args.length || args[next].startsWith("--")) {
            throw new UsageException(option + " needs " + what);
        }
        return args[next++];
    }

    long positiveLong(String option) throws UsageException {
        String v = value(option, "a positive number");
        long n = parseLong(option, v);
        if (n <= 0) throw new UsageException(option + " must be > 0, got " + v);
        return n;
    }

    int intInRange(String option, int min, int max) throws UsageException {
        String v = value(option, "a number");
        long n = parseLong(option, v);
        if (n < min || n > max) {
            throw new UsageException(option + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) n;
    }

    /** A comma-separated list of positive numbers, such as {@code 1,2,3}. */
    List<Long> positiveLongs(String option) throws UsageException {
        String v = value(option, "a comma-separated list of positive numbers");
        List<Long> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            long n = parseLong(option, part.strip());
            if (n <= 0) throw new UsageException(option + " takes positive numbers only, got " + part.strip());
            if (out.contains(n)) throw new UsageException(option + " names " + n + " twice");
            out.add(n);
        }
        return out;
    }

    /** A duration with a unit: {@code 500ms}, {@code 15s}, {@code 2m}; zero is allowed. */
    Duration duration(String option) throws UsageException {
        String v = value(option, "a duration such as 500ms, 15s or 2m");
        String s = v.strip().toLowerCase(Locale.ROOT);
        int unitAt = 0;
        while (unitAt < s.length() && Character.isDigit(s.charAt(unitAt))) unitAt++;
        if (unitAt == 0 || unitAt > 9) {
            throw new UsageException(option + " needs a duration such as 500ms, 15s or 2m, got '" + v + "'");
        }
        long n = Long.parseLong(s.substring(0, unitAt));
        return switch (s.substring(unitAt)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> throw new UsageException(option + " needs a duration with a unit ms, s or m, got '" + v + "'");
        };
    }

    /** {@code HOST:PORT} with a port in 1..65535. */
    HostPort hostPort(String option) throws UsageException {
        String v = value(option, "HOST:PORT");
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new UsageException(option + " needs HOST:PORT, got '" + v + "'");
        }
        long port = parseLong(option, v.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new UsageException(option + " needs a port between 1 and 65535, got '" + v + "'");
        }
        return new HostPort(v.substring(0, colon), (int) port);
    }

    private static long parseLong(String option, String v) throws UsageException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got '" + v + "'");
        }
    }

    /** A node's address on the network; the actor system name is always {@code regionkv}. */
    record HostPort(String host, int port) {
        String pekkoAddress() {
            return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Pekko joins only systems of the same name, so every regionkv process uses this one. */
    static final String SYSTEM_NAME = "regionkv";
}
