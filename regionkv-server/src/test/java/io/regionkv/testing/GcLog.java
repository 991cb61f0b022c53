package io.regionkv.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JVM's unified GC log ({@code -Xlog:gc:file=...}) for the heap in use. Each collection logs
 * {@code before->after(committed)}; the largest "before" is the most the heap ever held, since the heap
 * only shrinks at a collection. A test that runs a server JVM with a small {@code -Xmx} uses it to show
 * how much of that heap some work really needed, which the JVM's survival alone does not say.
 */
public final class GcLog {

    private static final Pattern SIZES = Pattern.compile(" (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private GcLog() {}

    /** The largest heap in use before any collection logged in {@code file}, in bytes; 0 if none was. */
    public static long peakUsedBytes(Path file) throws IOException {
        long peak = 0;
        for (String line : Files.readAllLines(file)) {
            Matcher m = SIZES.matcher(line);
            if (m.find()) peak = Math.max(peak, bytes(m.group(1), m.group(2)));
        }
        return peak;
    }

    /** How many collections {@code file} logs. */
    public static int collections(Path file) throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            if (SIZES.matcher(line).find()) n++;
        }
        return n;
    }

    private static long bytes(String number, String unit) {
        long n = Long.parseLong(number);
        return switch (unit) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            default -> n << 30;
        };
    }
}
