package dev.freshet.actors.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The batch ids a user entity remembers ({@link AppliedBatches}): 64 bits of SHA-256 of a name the
 * sender gives the batch and gives it again when it sends the batch again (the edge: the client,
 * the Idempotency-Key and the body; an internal service: a key of its own). Never 0, which means
 * "no batch id".
 */
public final class BatchIds {
  private BatchIds() {}

  /** The batch id of {@code name}; the same on every node and in every version. */
  public static long of(String name) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
    long id = 0;
    for (int i = 0; i < 8; i++) id = (id << 8) | (digest[i] & 0xff);
    return id == 0 ? 1 : id;
  }
}
