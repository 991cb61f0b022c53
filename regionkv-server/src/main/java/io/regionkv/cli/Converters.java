package io.regionkv.cli;

import io.regionkv.server.HostPort;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values that picocli does not read by itself; each failure says what it got. */
final class Converters {

    private Converters() {}

    /** {@code HOST:PORT}, port 1..65535. */
    static final class HostPorts implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration with a unit: {@code 500ms}, {@code 15s}, {@code 2m}; zero is allowed here. */
    static final class Durations implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String s = value.strip().toLowerCase(Locale.ROOT);
            int unitAt = 0;
            while (unitAt < s.length() && Character.isDigit(s.charAt(unitAt))) unitAt++;
            if (unitAt == 0 || unitAt > 9) {
                throw new TypeConversionException("needs a duration such as 500ms, 15s or 2m, got '" + value + "'");
            }
            long n = Long.parseLong(s.substring(0, unitAt));
            return switch (s.substring(unitAt)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> throw new TypeConversionException("needs a duration with a unit ms, s or m, got '" + value + "'");
            };
        }
    }
}
