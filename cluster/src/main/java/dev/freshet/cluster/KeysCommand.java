package dev.freshet.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.edge.Scope;
import dev.freshet.persistence.JdbcApiKeys;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/freshet keys create|list|revoke}: API keys from the shell, on the database the node
 * uses (found as {@code export-training} finds it). A revocation here reaches running nodes at once
 * through PostgreSQL's NOTIFY, like one made through the admin routes.
 */
public final class KeysCommand {

  private KeysCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, ConfigFactory.load(), System.out, System.err));
  }

  /** Runs the command; answers the exit code (0 done, 1 failed, 2 bad arguments). */
  static int run(String[] args, Config config, PrintStream out, PrintStream err) {
    String usage =
        "usage: bin/freshet keys create --name NAME --scopes ingest[,rank,admin,internal] | keys list | keys revoke KEY_ID";
    if (args.length == 0) {
      err.println(usage);
      return 2;
    }
    String name = null;
    List<String> scopes = null;
    String revokeId = null;
    try {
      switch (args[0]) {
        case "create" -> {
          for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
              case "--name" -> name = CommandArgs.value(args, ++i, "--name");
              case "--scopes" -> scopes = scopes(CommandArgs.value(args, ++i, "--scopes"));
              default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
          }
          if (name == null || name.isBlank() || scopes == null)
            throw new IllegalArgumentException("--name and --scopes are required");
        }
        case "list" -> {
          if (args.length > 1) throw new IllegalArgumentException("list takes no arguments");
        }
        case "revoke" -> {
          if (args.length != 2) throw new IllegalArgumentException("revoke takes one key id");
          revokeId = args[1];
        }
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
    } catch (IllegalArgumentException e) {
      err.println("keys: " + e.getMessage());
      err.println(usage);
      return 2;
    }
    try (ExportTrainingCommand.Connected db = ExportTrainingCommand.connect(config)) {
      JdbcApiKeys keys = new JdbcApiKeys(db.database().dataSource());
      switch (args[0]) {
        case "create" -> {
          JdbcApiKeys.CreatedKey created = keys.create(name, scopes);
          out.println("Created " + describe(created.stored()));
          out.println("Key (shown only now; store it safely): " + created.secret());
        }
        case "list" -> keys.list().forEach(k -> out.println(describe(k)));
        default -> {
          var revoked = keys.revoke(revokeId);
          if (revoked.isEmpty()) {
            err.println("keys: no API key with id " + revokeId);
            return 1;
          }
          out.println("Revoked " + describe(revoked.get()));
        }
      }
      return 0;
    } catch (RuntimeException e) {
      err.println("keys failed: " + e.getMessage());
      return 1;
    }
  }

  private static List<String> scopes(String text) {
    try {
      return Arrays.stream(text.split(","))
          .map(String::trim)
          .map(s -> Scope.parse(s, "--scopes").wireName())
          .distinct()
          .toList();
    } catch (ApiException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static String describe(JdbcApiKeys.StoredKey k) {
    return String.format(
        "%s  %-24s  scopes=%s  prefix=%s…  created %s%s",
        k.id(),
        k.name(),
        String.join(",", k.scopes()),
        k.prefix(),
        k.createdAt(),
        k.active() ? "" : "  REVOKED " + k.revokedAt());
  }
}
