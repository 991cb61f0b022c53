package io.regionkv.api;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code regionkv.api} section of the configuration: the limits of the gRPC API (see reference.conf).
 * Every limit bounds work a single client can put on the node at once.
 */
public record ApiSettings(int maxConcurrentCallsPerConnection, int maxInboundMessageBytes, int maxBatchKeys,
        int maxScanLimit, int maxInFlightOperations, Duration listingAskTimeout) {

    public static ApiSettings fromConfig(Config config) {
        Config c = config.getConfig("regionkv.api");
        ApiSettings s = new ApiSettings(c.getInt("max-concurrent-calls-per-connection"),
                (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-inbound-message-size")),
                c.getInt("max-batch-keys"), c.getInt("max-scan-limit"), c.getInt("max-in-flight-operations"),
                c.getDuration("listing-ask-timeout"));
        if (s.maxConcurrentCallsPerConnection < 1 || s.maxInboundMessageBytes < 1024 || s.maxBatchKeys < 1
                || s.maxScanLimit < 1 || s.maxInFlightOperations < s.maxBatchKeys || s.listingAskTimeout.isNegative() || s.listingAskTimeout.isZero()) {
            throw new IllegalArgumentException("regionkv.api: every limit must be positive (message size >= 1 KiB,"
                    + " max-in-flight-operations >= max-batch-keys): " + s);
        }
        return s;
    }
}
