package dev.trackpipeline.replay;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A point in time given as ISO-8601 ({@code 2026-11-25T10:00:00Z}, {@code 2026-11-25T18:00+08:00}) or epoch milliseconds. */
final class TimeArgument implements ITypeConverter<Instant> {

    @Override
    public Instant convert(String text) {
        if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
            return Instant.ofEpochMilli(Long.parseLong(text));
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("expected ISO-8601 (2026-11-25T10:00:00Z) or epoch milliseconds, got '" + text + "'");
            }
        }
    }
}
