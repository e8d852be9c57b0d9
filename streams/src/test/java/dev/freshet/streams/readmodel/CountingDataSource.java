package dev.freshet.streams.readmodel;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource that counts the statements each connection sends to PostgreSQL: every execute, each
 * row of an executeBatch (pgjdbc sends them one by one), savepoints and their rollbacks, commits
 * and rollbacks. The counts of the transactions that committed are kept, one per transaction.
 */
final class CountingDataSource implements DataSource {

  private final DataSource target;
  private final List<Integer> committed = new CopyOnWriteArrayList<>();

  CountingDataSource(DataSource target) {
    this.target = target;
  }

  /** The statement counts of the committed transactions, in commit order. */
  List<Integer> committedTransactions() {
    return committed;
  }

  void reset() {
    committed.clear();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(target.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(target.getConnection(user, password));
  }

  private Connection wrap(Connection c) {
    AtomicInteger count = new AtomicInteger();
    InvocationHandler handler =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "setSavepoint", "releaseSavepoint" -> count.incrementAndGet();
            case "rollback" -> count.incrementAndGet();
            case "commit" -> {
              count.incrementAndGet();
              Object result = invoke(c, method, args);
              committed.add(count.getAndSet(0));
              return result;
            }
            default -> {}
          }
          Object result = invoke(c, method, args);
          if (result instanceof Statement s) {
            Class<?> type =
                method.getName().equals("prepareStatement")
                    ? java.sql.PreparedStatement.class
                    : method.getName().equals("prepareCall")
                        ? java.sql.CallableStatement.class
                        : Statement.class;
            return statement(s, type, count);
          }
          if (method.getName().equals("setAutoCommit")) count.set(0);
          return result;
        };
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  private static Object statement(Statement s, Class<?> type, AtomicInteger count) {
    AtomicInteger batched = new AtomicInteger();
    InvocationHandler handler =
        (proxy, method, args) -> {
          String name = method.getName();
          if (name.equals("addBatch")) batched.incrementAndGet();
          else if (name.equals("executeBatch")) count.addAndGet(batched.getAndSet(0));
          else if (name.equals("clearBatch")) batched.set(0);
          else if (name.startsWith("execute")) count.incrementAndGet();
          return invoke(s, method, args);
        };
    return Proxy.newProxyInstance(
        CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }
}
