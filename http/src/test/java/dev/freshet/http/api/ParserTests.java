package dev.freshet.http.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What the parsers' unit tests share: JSON from text, a fixed clock and window, and the refusal
 * check.
 */
final class ParserTests {

  /** 2026-01-02T03:04:05Z. */
  static final long NOW = 1_767_323_045_000L;

  static final TimeWindow WINDOW =
      new TimeWindow(Instant.parse("2000-01-01T00:00:00Z"), Duration.ofMinutes(5));

  private ParserTests() {}

  /** JSON text with single quotes for readability: {@code {'a':1}}. */
  static JsonNode json(String singleQuoted) {
    try {
      return ApiJson.mapper().readTree(singleQuoted.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code parse} is refused with a 400 naming {@code field}. */
  static void refused(ThrowingCallable parse, String field) {
    assertThatThrownBy(parse)
        .as(field)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.field()).isEqualTo(field);
            });
  }
}
