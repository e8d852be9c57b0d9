package dev.freshet.cluster;

import dev.freshet.persistence.EmbeddedDatabase;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of tests that share one node on a real PostgreSQL, reached over a real socket. */
abstract class SingleNodeTest {

  static EmbeddedDatabase db;
  static FreshetNode node;
  static Api api;

  @BeforeAll
  static void startNode() {
    db = TestNodes.database();
    node = TestNodes.onDatabase(db, Optional.empty());
    api = new Api(node);
  }

  @AfterAll
  static void stopNode() {
    node.stop();
    db.close();
  }
}
