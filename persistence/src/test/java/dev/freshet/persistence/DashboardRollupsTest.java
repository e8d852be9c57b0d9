package dev.freshet.persistence;

import static dev.freshet.actors.pool.FreshnessBands.Share.EMPTY_POOL;
import static dev.freshet.actors.pool.FreshnessBands.Share.HALF_OR_MORE_UNSEEN;
import static dev.freshet.actors.pool.FreshnessBands.Share.UNDER_HALF_UNSEEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's hourly rollups on a real PostgreSQL: counts and distinct users by bucket, what
 * concurrent writers add to one hour (none of it lost), and freshness by coverage band.
 */
class DashboardRollupsTest {

  private static final Instant T = Instant.parse("2026-11-20T10:15:00Z");

  private static EmbeddedDatabase embedded;
  private static Database database;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 8)));
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  private JdbcActivityStatistics statistics() {
    return new JdbcActivityStatistics(database.dataSource(), Duration.ofSeconds(10));
  }

  private static long at(Duration offset) {
    return T.plus(offset).toEpochMilli();
  }

  @Test
  void countsAndDistinctUsersByBucket() throws Exception {
    var a = new DashboardRollups.Activity();
    a.impression("ann", at(Duration.ZERO));
    a.impression("ann", at(Duration.ofMinutes(10)));
    a.impression("bob", at(Duration.ofMinutes(50))); // the next hour
    a.interaction("ann", at(Duration.ofMinutes(50)));
    a.user("cid", at(Duration.ofHours(2))); // only repeats: active, nothing counted
    inTransaction(c -> DashboardRollups.add(c, a));

    var hourly =
        statistics()
            .activity(
                T.minus(Duration.ofHours(1)), T.plus(Duration.ofHours(3)), Duration.ofHours(1));
    assertThat(hourly.bucketStarts()).hasSize(5);
    assertThat(hourly.impressions()).containsExactly(0, 2, 1, 0, 0);
    assertThat(hourly.interactions()).containsExactly(0, 0, 1, 0, 0);
    assertThat(hourly.activeUsers()).containsExactly(0, 1, 2, 1, 0);
    assertThat(hourly.totalActiveUsers()).isEqualTo(3);

    var sixHours =
        statistics()
            .activity(
                T.minus(Duration.ofHours(1)), T.plus(Duration.ofHours(3)), Duration.ofHours(6));
    // buckets of six hours from midnight UTC: 06:00 holds the hours of 10 and 11, 12:00 the last
    assertThat(sixHours.impressions()).containsExactly(3, 0);
    assertThat(sixHours.activeUsers()).containsExactly(2, 1);
  }

  /** Four writers (the projections of four tags) adding to one hour at once lose nothing. */
  @Test
  void concurrentWritersToOneHourLoseNoUserAndNoCount() throws Exception {
    Instant hour = Instant.parse("2026-11-21T08:00:00Z");
    int writers = 4;
    int batches = 10;
    int usersPerBatch = 50;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int b = 0; b < batches; b++) {
                    var a = new DashboardRollups.Activity();
                    for (int u = 0; u < usersPerBatch; u++) {
                      a.impression("w" + writer + "-b" + b + "-u" + u, hour.toEpochMilli() + u);
                    }
                    inTransaction(c -> DashboardRollups.add(c, a));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
    var result = statistics().activity(hour, hour.plus(Duration.ofHours(1)), Duration.ofHours(1));
    int expected = writers * batches * usersPerBatch;
    assertThat(result.impressions()).containsExactly(expected);
    // 2,000 users: past the sketch's exact range, within its error
    assertThat((double) result.activeUsers()[0]).isCloseTo(expected, offset(expected * 0.05));
  }

  @Test
  void freshnessByCoverageBandAndTheLatestHoursKpi() throws Exception {
    Instant hour = Instant.parse("2026-11-22T08:00:00Z");
    long early = hour.toEpochMilli();
    long later = hour.plus(Duration.ofHours(1)).toEpochMilli();
    var f = new DashboardRollups.Freshness();
    f.snapshot("ann", early, 0.05, HALF_OR_MORE_UNSEEN);
    f.snapshot(
        "ann", early + 1000, 0.06, HALF_OR_MORE_UNSEEN); // the same user twice in one band: once
    f.snapshot("bob", early, 0.95, UNDER_HALF_UNSEEN);
    f.snapshot("new", early, 0.0, EMPTY_POOL); // an empty pool: in band 0, not judged
    f.snapshot("ann", later, 0.55, UNDER_HALF_UNSEEN);
    f.snapshot("bob", later, 1.0, UNDER_HALF_UNSEEN);
    inTransaction(c -> DashboardRollups.add(c, f));

    var result = statistics().freshness(hour, hour.plus(Duration.ofHours(2)), Duration.ofHours(1));
    assertThat(result.users()[0]).containsExactly(2, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(result.users()[1]).containsExactly(0, 0, 0, 0, 0, 1, 0, 0, 0, 1);
    // the latest hour and the one before: ann fresh at 08:00 (5 % seen), not at 09:00 (55 %), bob
    // never: judged together, two users, one of them fresh at some time
    assertThat(result.kpi()).hasValue(0.5);
    assertThat(result.kpiUsers()).isEqualTo(2);
    Instant later2 = hour.plus(Duration.ofHours(3));
    var g = new DashboardRollups.Freshness();
    g.snapshot("cid", later2.toEpochMilli(), 0.1, HALF_OR_MORE_UNSEEN);
    inTransaction(c -> DashboardRollups.add(c, g));
    var afterGap =
        statistics().freshness(hour, hour.plus(Duration.ofHours(4)), Duration.ofHours(1));
    assertThat(afterGap.kpi()).as("only the latest hour and the one before").hasValue(1.0);
    assertThat(afterGap.kpiUsers()).isEqualTo(1);

    var whole = statistics().freshness(hour, hour.plus(Duration.ofHours(2)), Duration.ofHours(6));
    assertThat(whole.users()[0][9]).as("bob, in band 9 in both hours, once").isEqualTo(1);
  }

  private interface Work {
    void run(Connection c) throws Exception;
  }

  private static void inTransaction(Work work) throws Exception {
    try (Connection c = database.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (Exception e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }
}
