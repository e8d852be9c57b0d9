package dev.freshet.qdrant;

import com.typesafe.config.ConfigFactory;
import io.grpc.ManagedChannelBuilder;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Where the adapter's tests run, chosen once for the whole run: against a real Qdrant when {@code
 * FRESHET_QDRANT_URL} is set (each test in a collection of its own, deleted afterwards), else
 * against {@link FakeQdrant} in this JVM. Failure injection exists only on the fake.
 */
abstract class QdrantTarget implements AutoCloseable {

  static final Optional<String> REAL_URL =
      Optional.ofNullable(System.getenv("FRESHET_QDRANT_URL")).filter(u -> !u.isBlank());

  final String collection = "freshet-test-" + UUID.randomUUID();

  static QdrantTarget create() throws Exception {
    return REAL_URL.isPresent() ? new Real() : new Fake();
  }

  /** A new client on the target; whoever gets it closes it. */
  abstract QdrantClient client();

  /** The fake, when the target is one. */
  abstract Optional<FakeQdrant> fake();

  /** Settings for the target, with the test's own collection. */
  QdrantSettings settings(String overrides) {
    return QdrantSettings.fromConfig(
            ConfigFactory.parseString(overrides)
                .withFallback(
                    ConfigFactory.parseString(
                        "freshet.vectors.qdrant.url = \""
                            + REAL_URL.orElse("http://in-process:6334")
                            + "\""))
                .withFallback(ConfigFactory.defaultReference())
                .resolve(),
            System.getenv())
        .withCollection(collection);
  }

  static final class Fake extends QdrantTarget {
    private final FakeQdrant fake = new FakeQdrant();

    Fake() throws Exception {}

    @Override
    QdrantClient client() {
      return new QdrantClient(QdrantGrpcClient.newBuilder(fake.channel(), true, false).build());
    }

    @Override
    Optional<FakeQdrant> fake() {
      return Optional.of(fake);
    }

    @Override
    public void close() {
      fake.close();
    }
  }

  static final class Real extends QdrantTarget {
    private final QdrantSettings.Endpoint endpoint;
    private final Optional<String> apiKey;

    Real() {
      QdrantSettings settings = settings("");
      this.endpoint = settings.endpoint();
      this.apiKey = settings.apiKey();
    }

    @Override
    QdrantClient client() {
      ManagedChannelBuilder<?> channel =
          ManagedChannelBuilder.forAddress(endpoint.host(), endpoint.port());
      if (endpoint.tls()) channel.useTransportSecurity();
      else channel.usePlaintext();
      QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(channel.build(), true, false);
      apiKey.ifPresent(grpc::withApiKey);
      return new QdrantClient(grpc.build());
    }

    @Override
    Optional<FakeQdrant> fake() {
      return Optional.empty();
    }

    @Override
    public void close() throws Exception {
      try (QdrantClient client = client()) {
        client.deleteCollectionAsync(collection).get(10, TimeUnit.SECONDS);
      }
    }
  }
}
