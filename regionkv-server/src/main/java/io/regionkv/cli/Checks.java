package io.regionkv.cli;

import java.util.HashSet;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that depend on more than their type. A failure is a {@link ParameterException},
 * which picocli reports like any usage error: the message, the usage, exit status 2.
 */
final class Checks {

    private final CommandLine commandLine;

    Checks(CommandLine commandLine) {
        this.commandLine = commandLine;
    }

    ParameterException fail(String message) {
        return new ParameterException(commandLine, message);
    }

    long positive(String option, long value) {
        if (value <= 0) throw fail(option + " must be > 0, got " + value);
        return value;
    }

    int inRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw fail(option + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** Positive numbers, each named once (store ids, concurrency levels). */
    List<Long> positiveDistinct(String option, List<Long> values) {
        var seen = new HashSet<Long>();
        for (long v : values) {
            if (v <= 0) throw fail(option + " takes positive numbers only, got " + v);
            if (!seen.add(v)) throw fail(option + " names " + v + " twice");
        }
        return List.copyOf(values);
    }
}
