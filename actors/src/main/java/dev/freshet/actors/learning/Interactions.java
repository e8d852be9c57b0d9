package dev.freshet.actors.learning;

import java.util.Arrays;

/**
 * What users did with items as a sparse matrix of weights, rows by user and (transposed) by item:
 * the input of training. Users and items are indexes {@code 0..users-1} and {@code 0..items-1}; a
 * pair added several times has the sum of its weights. Immutable once built.
 */
public final class Interactions {

  private final int users;
  private final int items;
  private final Rows byUser;
  private final Rows byItem;

  /** One side's rows: row {@code r} is {@code columns/weights[start[r]..start[r + 1])}. */
  record Rows(int[] start, int[] columns, float[] weights) {
    int size(int row) {
      return start[row + 1] - start[row];
    }
  }

  private Interactions(int users, int items, Rows byUser, Rows byItem) {
    this.users = users;
    this.items = items;
    this.byUser = byUser;
    this.byItem = byItem;
  }

  public int users() {
    return users;
  }

  public int items() {
    return items;
  }

  /** Distinct (user, item) pairs. */
  public int pairs() {
    return byUser.columns.length;
  }

  Rows byUser() {
    return byUser;
  }

  Rows byItem() {
    return byItem;
  }

  /** The items of {@code user}, ascending. */
  public int[] itemsOf(int user) {
    return Arrays.copyOfRange(byUser.columns, byUser.start[user], byUser.start[user + 1]);
  }

  /** The weights of {@link #itemsOf}, in the same order. */
  public float[] weightsOf(int user) {
    return Arrays.copyOfRange(byUser.weights, byUser.start[user], byUser.start[user + 1]);
  }

  /** How many users have a pair with {@code item}. */
  public int usersOf(int item) {
    return byItem.size(item);
  }

  public static Builder builder(int users, int items) {
    return new Builder(users, items);
  }

  /** Collects (user, item, weight) triples in any order. */
  public static final class Builder {
    private final int users;
    private final int items;
    private long[] keys = new long[1024];
    private float[] weights = new float[1024];
    private int size;

    private Builder(int users, int items) {
      if (users < 0 || items < 0) throw new IllegalArgumentException("sizes must be >= 0");
      this.users = users;
      this.items = items;
    }

    public Builder add(int user, int item, double weight) {
      if (user < 0 || user >= users)
        throw new IllegalArgumentException("user out of range: " + user);
      if (item < 0 || item >= items)
        throw new IllegalArgumentException("item out of range: " + item);
      if (!Double.isFinite(weight)) throw new IllegalArgumentException("weight must be finite");
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        weights = Arrays.copyOf(weights, size * 2);
      }
      keys[size] = ((long) user << 32) | item;
      weights[size++] = (float) weight;
      return this;
    }

    public Interactions build() {
      // bucket the triples by user (counting sort), then sort each user's row by item and merge
      // equal pairs: linear but for the rows' own sorts
      int[] userStart = new int[users + 1];
      for (int k = 0; k < size; k++) userStart[(int) (keys[k] >>> 32) + 1]++;
      for (int u = 0; u < users; u++) userStart[u + 1] += userStart[u];
      int[] next = Arrays.copyOf(userStart, users);
      long[] row = new long[size];
      for (int k = 0; k < size; k++) {
        // item in the high half, the triple's position in the low half: sorts by item
        row[next[(int) (keys[k] >>> 32)]++] = ((keys[k] & 0xFFFFFFFFL) << 32) | k;
      }
      int[] start = new int[users + 1];
      int[] columns = new int[size];
      float[] values = new float[size];
      int n = 0;
      for (int u = 0; u < users; u++) {
        Arrays.sort(row, userStart[u], userStart[u + 1]);
        int previous = -1;
        for (int k = userStart[u]; k < userStart[u + 1]; k++) {
          int item = (int) (row[k] >>> 32);
          float weight = weights[(int) row[k]];
          if (item == previous) {
            values[n - 1] += weight;
          } else {
            columns[n] = item;
            values[n++] = weight;
            previous = item;
          }
        }
        start[u + 1] = n;
      }
      Rows byUser = new Rows(start, Arrays.copyOf(columns, n), Arrays.copyOf(values, n));
      return new Interactions(users, items, byUser, transpose(byUser, users, items));
    }

    private static Rows transpose(Rows rows, int users, int items) {
      int[] start = new int[items + 1];
      for (int c : rows.columns) start[c + 1]++;
      for (int i = 0; i < items; i++) start[i + 1] += start[i];
      int[] next = Arrays.copyOf(start, items);
      int[] columns = new int[rows.columns.length];
      float[] weights = new float[rows.columns.length];
      for (int u = 0; u < users; u++) {
        for (int k = rows.start[u]; k < rows.start[u + 1]; k++) {
          int at = next[rows.columns[k]]++;
          columns[at] = u;
          weights[at] = rows.weights[k];
        }
      }
      return new Rows(start, columns, weights);
    }
  }
}
