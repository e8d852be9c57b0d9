package dev.freshet.streams.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.persistence.Database;
import dev.freshet.persistence.DatabaseSettings;
import dev.freshet.persistence.EmbeddedDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pipelines sample costs PostgreSQL the same whatever the journal's length: the buffers its
 * statement touches at 200,000 journal events are those at 20,000 (give or take an index level),
 * and its lag and pending figures are right for a tag caught up and for one behind.
 */
class PipelineMonitorCostTest {

  private static final int TAGS = 8;
  private static final int BEHIND = 1_000; // journal orderings the odd tags' projections are behind

  /** The sample's statement before V10: a count of every tagged event past each offset. */
  private static final String SCANNING_SQL =
      "SELECT o.projection, o.tag, "
          + "(SELECT j.write_timestamp FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id "
          + "  WHERE t.tag = o.tag AND t.event_id > o.ordering ORDER BY t.event_id LIMIT 1) AS oldest_pending, "
          + "(SELECT count(*) FROM (SELECT 1 FROM event_tag t WHERE t.tag = o.tag AND t.event_id > o.ordering LIMIT 1000000) p) "
          + "FROM read_model_offsets o";

  private static EmbeddedDatabase embedded;
  private static Database database;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    embedded = EmbeddedDatabase.start(Files.createTempDirectory("freshet-pg"), 0);
    database = Database.open(embedded.settings(new DatabaseSettings("", "", "", 2)));
    ds = database.dataSource();
  }

  @AfterAll
  static void stop() {
    database.close();
    embedded.close();
  }

  @Test
  void aSampleTouchesTheSameBuffersAtTenTimesTheJournal() throws Exception {
    journal(20_000);
    long small = buffers(PipelineMonitor.SQL);
    long smallScanning = buffers(SCANNING_SQL);
    journal(200_000);
    long large = buffers(PipelineMonitor.SQL);
    long largeScanning = buffers(SCANNING_SQL);
    System.out.printf(
        "Buffers one pipelines sample touches (%d offset rows): %d at 20,000 journal events, %d at 200,000 "
            + "(the statement before V10: %d and %d)%n",
        TAGS, small, large, smallScanning, largeScanning);
    // one more btree level at most, per probe: 3 probes per offset row
    assertThat(large).isLessThanOrEqualTo(small + 3L * TAGS);
    assertThat(large).isLessThan(20L * TAGS);

    List<PipelineStatus> sample = new PipelineMonitor(ds).sample();
    assertThat(sample).hasSize(TAGS);
    for (PipelineStatus s : sample) {
      int tag = Integer.parseInt(s.tag().substring("user-".length()));
      if (tag % 2 == 0) {
        assertThat(s.pendingEvents()).as(s.tag()).isZero();
        assertThat(s.lagSeconds()).as(s.tag()).isZero();
      } else {
        assertThat(s.pendingEvents()).as(s.tag()).isEqualTo(BEHIND);
        assertThat(s.lagSeconds()).as(s.tag()).isBetween(50.0, 3_600.0);
      }
    }
  }

  /**
   * A journal of {@code events} events, one minute old, tagged round-robin; the even tags'
   * projections caught up, the odd ones {@link #BEHIND} orderings behind their tag's newest event.
   */
  private static void journal(int events) throws SQLException {
    execute(
        "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, event_ser_id, "
            + "event_ser_manifest, event_payload) SELECT 'User|u' || n, 1, 'w', "
            + "(extract(epoch FROM now()) * 1000)::bigint - 60000, 1, 'm', '\\x00'::bytea "
            + "FROM generate_series((SELECT count(*) FROM event_journal) + 1, "
            + events
            + ") n");
    execute(
        "INSERT INTO event_tag (event_id, tag) SELECT ordering, 'user-' || (ordering % "
            + TAGS
            + ") FROM event_journal ON CONFLICT DO NOTHING");
    execute("DELETE FROM read_model_offsets");
    execute(
        "INSERT INTO read_model_offsets (projection, tag, ordering, updated_at) "
            + "SELECT 'p', tag, max(event_id) - CASE WHEN right(tag, 1)::int % 2 = 1 THEN "
            + BEHIND
            + " ELSE 0 END, now() FROM event_tag GROUP BY tag");
    execute("ANALYZE event_journal");
    execute("ANALYZE event_tag");
    execute("ANALYZE read_model_offsets");
  }

  /** The shared buffers (hit or read) a statement touches, its plan's root included subplans. */
  private static long buffers(String sql) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeQuery(sql).close(); // warm
      try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)) {
        rs.next();
        JsonNode plan = new ObjectMapper().readTree(rs.getString(1)).get(0).path("Plan");
        return plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong();
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
