package dev.freshet.actors.user;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The journal tags of the user events the read models need: {@code user-0} … {@code user-(n-1)} by
 * a stable hash of the user id, so that each tag is one projection stream, the streams spread over
 * the cluster, and one user's events stay in journal order within one stream.
 */
public final class UserEventTags {

  private UserEventTags() {}

  public static String of(String userId, int slices) {
    // String.hashCode is specified by the JLS, so every node and every version computes the same
    // tag
    return "user-" + Math.floorMod(userId.hashCode(), slices);
  }

  public static List<String> all(int slices) {
    return IntStream.range(0, slices).mapToObj(i -> "user-" + i).toList();
  }
}
