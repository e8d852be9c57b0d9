package dev.freshet.qdrant;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.PointsGrpc;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small Qdrant in this JVM, served over gRPC's in-process transport from the client's own
 * generated service bases: collections with a size and distance, points in memory, exact cosine
 * search with the filter semantics Qdrant documents for what the adapter sends (must, must_not,
 * should, nested filters, keyword matches, has_id). Anything else it is sent is refused with
 * INVALID_ARGUMENT, so a test fails if the adapter sends a filter this fake does not understand. It
 * can be switched to fail every call (UNAVAILABLE) or to hang (never answer), and records the
 * requests it took.
 */
final class FakeQdrant implements AutoCloseable {

  enum Mode {
    NORMAL,
    FAIL,
    HANG
  }

  record Point(long id, float[] vector, Map<String, Value> payload) {}

  private record Hit(Point point, double score) {}

  static final class Collection {
    final int size;
    final Distance distance;
    final Map<Long, Point> points = new ConcurrentHashMap<>();
    final Set<String> keywordIndexes = ConcurrentHashMap.newKeySet();

    Collection(int size, Distance distance) {
      this.size = size;
      this.distance = distance;
    }
  }

  volatile Mode mode = Mode.NORMAL;
  final Map<String, Collection> collections = new ConcurrentHashMap<>();
  final List<UpsertPoints> upserts = new CopyOnWriteArrayList<>();
  final List<DeletePoints> deletes = new CopyOnWriteArrayList<>();
  final List<SearchPoints> searches = new CopyOnWriteArrayList<>();
  final List<CreateCollection> creates = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<?>> hanging = new CopyOnWriteArrayList<>();
  private final String name = "fake-qdrant-" + UUID.randomUUID();
  private final Server server;

  /** In this JVM only: {@link #channel()} reaches it. */
  FakeQdrant() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new PointsService())
            .addService(new CollectionsService())
            .build()
            .start();
  }

  /** On a TCP port of 127.0.0.1, plaintext, as Qdrant's gRPC port is by default. */
  FakeQdrant(int port) throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(new PointsService())
            .addService(new CollectionsService())
            .build()
            .start();
  }

  ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).build();
  }

  @Override
  public void close() {
    for (StreamObserver<?> call : hanging) {
      try {
        call.onError(Status.CANCELLED.asRuntimeException());
      } catch (RuntimeException ignored) {
        // the client gave up on it already
      }
    }
    server.shutdownNow();
  }

  /** Whether the call is answered here by the failure mode (then the handler returns). */
  private boolean intercepted(StreamObserver<?> observer) {
    switch (mode) {
      case FAIL -> {
        observer.onError(
            Status.UNAVAILABLE.withDescription("fake qdrant is down").asRuntimeException());
        return true;
      }
      case HANG -> {
        hanging.add(observer);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private Collection collection(String collectionName) {
    Collection c = collections.get(collectionName);
    if (c == null)
      throw Status.NOT_FOUND
          .withDescription("Collection `" + collectionName + "` doesn't exist!")
          .asRuntimeException();
    return c;
  }

  private static <T> void answer(StreamObserver<T> observer, java.util.function.Supplier<T> body) {
    T value;
    try {
      value = body.get();
    } catch (RuntimeException failure) {
      observer.onError(Status.fromThrowable(failure).asRuntimeException());
      return;
    }
    observer.onNext(value);
    observer.onCompleted();
  }

  private static PointsOperationResponse completed() {
    return PointsOperationResponse.newBuilder()
        .setResult(UpdateResult.newBuilder().setStatus(UpdateStatus.Completed))
        .build();
  }

  private static RuntimeException invalid(String what) {
    return Status.INVALID_ARGUMENT.withDescription(what).asRuntimeException();
  }

  // ---- filters, as Qdrant evaluates them ----

  static boolean matches(Filter filter, Point point) {
    if (filter.hasMinShould()) throw invalid("the fake does not implement min_should");
    for (Condition c : filter.getMustList()) if (!matches(c, point)) return false;
    for (Condition c : filter.getMustNotList()) if (matches(c, point)) return false;
    if (filter.getShouldCount() == 0) return true;
    for (Condition c : filter.getShouldList()) if (matches(c, point)) return true;
    return false;
  }

  private static boolean matches(Condition condition, Point point) {
    switch (condition.getConditionOneOfCase()) {
      case HAS_ID -> {
        for (PointId id : condition.getHasId().getHasIdList())
          if (id.getNum() == point.id()) return true;
        return false;
      }
      case FILTER -> {
        return matches(condition.getFilter(), point);
      }
      case FIELD -> {
        FieldCondition field = condition.getField();
        if (!field.hasMatch()
            || field.getMatch().getMatchValueCase() != Match.MatchValueCase.KEYWORD)
          throw invalid("the fake implements only keyword matches, got " + field);
        Value value = point.payload().get(field.getKey());
        return value != null
            && value.hasStringValue()
            && value.getStringValue().equals(field.getMatch().getKeyword());
      }
      default -> throw invalid("the fake does not implement " + condition);
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static Map<String, Value> selected(Map<String, Value> payload, WithPayloadSelector s) {
    return switch (s.getSelectorOptionsCase()) {
      case ENABLE -> s.getEnable() ? payload : Map.of();
      case INCLUDE -> {
        Map<String, Value> out = new TreeMap<>();
        for (String field : s.getInclude().getFieldsList())
          if (payload.containsKey(field)) out.put(field, payload.get(field));
        yield out;
      }
      case SELECTOROPTIONS_NOT_SET -> Map.of();
      default -> throw invalid("the fake does not implement " + s);
    };
  }

  // ---- services ----

  private final class PointsService extends PointsGrpc.PointsImplBase {

    @Override
    public void upsert(UpsertPoints request, StreamObserver<PointsOperationResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            List<Point> points = new ArrayList<>();
            for (PointStruct p : request.getPointsList()) {
              List<Float> data = p.getVectors().getVector().getDense().getDataList();
              if (data.size() != c.size)
                throw invalid(
                    "Wrong input: Vector dimension error: expected dim: "
                        + c.size
                        + ", got "
                        + data.size());
              float[] vector = new float[data.size()];
              for (int i = 0; i < vector.length; i++) vector[i] = data.get(i);
              points.add(new Point(p.getId().getNum(), vector, Map.copyOf(p.getPayloadMap())));
            }
            upserts.add(request);
            for (Point p : points) c.points.put(p.id(), p);
            return completed();
          });
    }

    @Override
    public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            if (!request.getPoints().hasPoints())
              throw invalid("the fake deletes by ids only, got " + request.getPoints());
            deletes.add(request);
            for (PointId id : request.getPoints().getPoints().getIdsList())
              c.points.remove(id.getNum());
            return completed();
          });
    }

    @Override
    public void get(GetPoints request, StreamObserver<GetResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            GetResponse.Builder response = GetResponse.newBuilder();
            for (PointId id : request.getIdsList()) {
              Point p = c.points.get(id.getNum());
              if (p != null)
                response.addResult(
                    RetrievedPoint.newBuilder()
                        .setId(id)
                        .putAllPayload(selected(p.payload(), request.getWithPayload())));
            }
            return response.build();
          });
    }

    @Override
    public void count(CountPoints request, StreamObserver<CountResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            long n =
                c.points.values().stream().filter(p -> matches(request.getFilter(), p)).count();
            return CountResponse.newBuilder()
                .setResult(CountResult.newBuilder().setCount(n))
                .build();
          });
    }

    @Override
    public void createFieldIndex(
        CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            if (request.getFieldType() != FieldType.FieldTypeKeyword)
              throw invalid("the fake indexes keywords only");
            c.keywordIndexes.add(request.getFieldName());
            return completed();
          });
    }

    @Override
    public void search(SearchPoints request, StreamObserver<SearchResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            if (request.getVectorCount() != c.size)
              throw invalid(
                  "Wrong input: Vector dimension error: expected dim: "
                      + c.size
                      + ", got "
                      + request.getVectorCount());
            searches.add(request);
            float[] query = new float[request.getVectorCount()];
            for (int i = 0; i < query.length; i++) query[i] = request.getVector(i);
            List<Hit> hits = new ArrayList<>();
            for (Point p : c.points.values())
              if (matches(request.getFilter(), p)) hits.add(new Hit(p, cosine(query, p.vector())));
            hits.sort(
                Comparator.comparingDouble((Hit h) -> -h.score())
                    .thenComparingLong(h -> h.point().id()));
            SearchResponse.Builder response = SearchResponse.newBuilder();
            for (Hit h : hits.subList(0, (int) Math.min(hits.size(), request.getLimit())))
              response.addResult(
                  ScoredPoint.newBuilder()
                      .setId(PointId.newBuilder().setNum(h.point().id()))
                      .setScore((float) h.score())
                      .putAllPayload(selected(h.point().payload(), request.getWithPayload())));
            return response.build();
          });
    }
  }

  private final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {

    @Override
    public void collectionExists(
        CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () ->
              CollectionExistsResponse.newBuilder()
                  .setResult(
                      CollectionExists.newBuilder()
                          .setExists(collections.containsKey(request.getCollectionName())))
                  .build());
    }

    @Override
    public void create(
        CreateCollection request, StreamObserver<CollectionOperationResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            VectorParams params = request.getVectorsConfig().getParams();
            if (params.getSize() < 1) throw invalid("vector size must be at least 1");
            Collection fresh = new Collection((int) params.getSize(), params.getDistance());
            if (collections.putIfAbsent(request.getCollectionName(), fresh) != null)
              throw Status.ALREADY_EXISTS
                  .withDescription("Collection `" + request.getCollectionName() + "` exists")
                  .asRuntimeException();
            creates.add(request);
            return CollectionOperationResponse.newBuilder().setResult(true).build();
          });
    }

    @Override
    public void get(
        GetCollectionInfoRequest request, StreamObserver<GetCollectionInfoResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () -> {
            Collection c = collection(request.getCollectionName());
            CollectionInfo.Builder info =
                CollectionInfo.newBuilder()
                    .setPointsCount(c.points.size())
                    .setConfig(
                        CollectionConfig.newBuilder()
                            .setParams(
                                CollectionParams.newBuilder()
                                    .setVectorsConfig(
                                        VectorsConfig.newBuilder()
                                            .setParams(
                                                VectorParams.newBuilder()
                                                    .setSize(c.size)
                                                    .setDistance(c.distance)))));
            for (String field : c.keywordIndexes)
              info.putPayloadSchema(
                  field,
                  PayloadSchemaInfo.newBuilder().setDataType(PayloadSchemaType.Keyword).build());
            return GetCollectionInfoResponse.newBuilder().setResult(info).build();
          });
    }

    @Override
    public void delete(
        DeleteCollection request, StreamObserver<CollectionOperationResponse> observer) {
      if (intercepted(observer)) return;
      answer(
          observer,
          () ->
              CollectionOperationResponse.newBuilder()
                  .setResult(collections.remove(request.getCollectionName()) != null)
                  .build());
    }
  }
}
