package io.regionkv.example.inventory;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One item's stock as the keeper stores it: both numbers in ONE RegionKV value, so every write moves units
 * between "available" and "reserved" (or adds to "available") in a single atomic put.
 */
public record Stock(long available, long reserved) {

    public static final Stock NONE = new Stock(0, 0);

    /** Thrown by {@link #decode} for a value this service did not write. */
    public static final class CorruptStockException extends Exception {
        CorruptStockException(String message) {
            super(message);
        }
    }

    /** The RegionKV key of {@code item}'s stock. */
    public static ByteString key(String item) {
        return ByteString.copyFromUtf8("inventory/stock/" + item);
    }

    public ByteString encode() {
        return ByteString.copyFrom(available + "," + reserved, StandardCharsets.US_ASCII);
    }

    public static Stock decode(Optional<ByteString> stored) throws CorruptStockException {
        if (stored.isEmpty()) return NONE;
        String text = stored.get().toString(StandardCharsets.US_ASCII);
        int comma = text.indexOf(',');
        try {
            if (comma < 0) throw new NumberFormatException("no comma");
            return new Stock(Long.parseLong(text.substring(0, comma)), Long.parseLong(text.substring(comma + 1)));
        } catch (NumberFormatException e) {
            throw new CorruptStockException("not a stock value: '" + text + "'");
        }
    }

    Stock reserve(long quantity) {
        return new Stock(available - quantity, reserved + quantity);
    }

    Stock restock(long quantity) {
        return new Stock(available + quantity, reserved);
    }
}
