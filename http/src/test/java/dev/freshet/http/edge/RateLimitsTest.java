package dev.freshet.http.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.http.api.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The buckets without a cluster: tiers, all-or-nothing ingest, and another node's consumption. */
class RateLimitsTest {

  private static RateLimits limits(long perMinute) {
    return RateLimits.local(
        new RateLimits.Settings(
            true,
            Map.of(
                RateLimits.Tier.ANONYMOUS, perMinute,
                RateLimits.Tier.INGEST, perMinute,
                RateLimits.Tier.RANK, perMinute,
                RateLimits.Tier.ADMIN, perMinute),
            Duration.ofSeconds(1)));
  }

  @Test
  void aSubjectOverItsLimitGetsA429WithTheSecondsUntilItsNextToken() {
    RateLimits limits = limits(6); // a token every 10 s
    for (int i = 0; i < 6; i++) limits.admit(RateLimits.Tier.RANK, "key_a");
    assertThatThrownBy(() -> limits.admit(RateLimits.Tier.RANK, "key_a"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.retryAfterSeconds()).isBetween(9L, 10L);
            });
    // other subjects and other tiers have buckets of their own
    limits.admit(RateLimits.Tier.RANK, "key_b");
    limits.admit(RateLimits.Tier.ADMIN, "key_a");
  }

  @Test
  void anIngestBatchIsAdmittedForAllItsUsersOrForNone() {
    RateLimits limits = limits(2);
    limits.admitIngest(List.of("busy"));
    limits.admitIngest(List.of("busy"));
    assertThatThrownBy(() -> limits.admitIngest(List.of("calm", "busy")))
        .isInstanceOf(ApiException.class);
    // the refused batch took nothing from calm
    limits.admitIngest(List.of("calm"));
    limits.admitIngest(List.of("calm"));
    assertThatThrownBy(() -> limits.admitIngest(List.of("calm"))).isInstanceOf(ApiException.class);
  }

  @Test
  void whatAnotherNodeConsumedIsTakenOutOfThisNodesBuckets() {
    RateLimits here = limits(10);
    RateLimits there = limits(10);
    for (int i = 0; i < 8; i++) there.admit(RateLimits.Tier.RANK, "key_shared");
    Map<String, Long> report = there.drainUnreported();
    assertThat(report).hasSize(1).containsValue(8L);
    assertThat(there.drainUnreported()).isEmpty(); // reported once
    here.apply(new RateLimits.Consumed("there", report));
    here.admit(RateLimits.Tier.RANK, "key_shared");
    here.admit(RateLimits.Tier.RANK, "key_shared");
    assertThatThrownBy(() -> here.admit(RateLimits.Tier.RANK, "key_shared"))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void switchedOffNothingIsLimited() {
    RateLimits off =
        RateLimits.local(new RateLimits.Settings(false, Map.of(), Duration.ofSeconds(1)));
    for (int i = 0; i < 1000; i++) off.admit(RateLimits.Tier.ANONYMOUS, "1.2.3.4");
    off.admitIngest(List.of("a", "b"));
  }
}
