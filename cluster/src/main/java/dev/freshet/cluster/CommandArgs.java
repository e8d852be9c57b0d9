package dev.freshet.cluster;

/** What the {@code bin/freshet} commands share in reading their arguments. */
final class CommandArgs {

  private CommandArgs() {}

  /**
   * The value after option {@code name} (at {@code args[i]}); refused naming the option if none.
   */
  static String value(String[] args, int i, String name) {
    if (i >= args.length) throw new IllegalArgumentException(name + " needs a value");
    return args[i];
  }
}
