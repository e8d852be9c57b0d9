package dev.freshet.actors.user;

import dev.freshet.actors.CborSerializable;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The protocol of the erasure service every serving node registers with the cluster's receptionist
 * under {@link #KEY}: it erases a user everywhere, as {@code DELETE /v1/users/{id}} does (the
 * entity forgets, then one transaction deletes the journal up to that write, the read-model rows,
 * favourite links and the rest, leaving a tombstone). Members that hold no database (the cluster
 * client's proxies) erase through it.
 */
public final class Erasure {

  public static final ServiceKey<Erase> KEY = ServiceKey.create(Erase.class, "freshet-erasure");

  private Erasure() {}

  public record Erase(String userId, ActorRef<StatusReply<Erased>> replyTo)
      implements CborSerializable {}

  /** The user erased, with the rows deleted per table. */
  public record Erased(String userId, Map<String, Integer> removed) implements CborSerializable {}
}
