package dev.freshet.cluster;

import dev.freshet.persistence.Database;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The application's database pool, reachable from anything that has the ActorSystem, such as the
 * health checks Pekko Management instantiates by class name. One per ActorSystem, so several nodes
 * in one JVM (tests) each see their own.
 */
public final class NodeDatabase implements Extension {

  private final AtomicReference<Database> database = new AtomicReference<>();

  public static final ExtensionId<NodeDatabase> ID =
      new ExtensionId<>() {
        @Override
        public NodeDatabase createExtension(ActorSystem<?> system) {
          return new NodeDatabase();
        }
      };

  public static NodeDatabase get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  void set(Database db) {
    database.set(db);
  }

  /** True when the database is set and answers. */
  public boolean healthy() {
    Database db = database.get();
    return db != null && db.isHealthy();
  }
}
