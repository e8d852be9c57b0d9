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

  /**
   * The value after option {@code name}, read by {@code parse}; a value it cannot read is refused
   * naming the option and the value.
   */
  static <T> T parsed(
      String[] args, int i, String name, java.util.function.Function<String, T> parse) {
    String text = value(args, i, name);
    try {
      return parse.apply(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got \"" + text + "\"");
    }
  }
}
