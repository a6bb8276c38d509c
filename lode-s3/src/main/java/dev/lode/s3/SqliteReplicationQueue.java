package dev.lode.s3;

import dev.lode.core.ObjectId;
import dev.lode.core.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReplicationQueue} in a SQLite file (WAL, {@code synchronous=FULL}): each change is a
 * committed transaction before the call returns, so a crash or restart loses no task. One
 * connection, serialised by a lock; the queue is small and hit only by puts and one worker.
 *
 * <p>Table {@code replication_task(seq, object_id, replica, attempts, not_before_ms, last_error)},
 * unique on {@code (object_id, replica)}. The catalog will later hold the same table in its own
 * database (SQLite or PostgreSQL).
 */
public final class SqliteReplicationQueue implements ReplicationQueue {
    private final Path file;
    private final Connection db;
    private final ReentrantLock lock = new ReentrantLock();

    private SqliteReplicationQueue(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) the queue in {@code file}. */
    public static SqliteReplicationQueue open(Path file) {
        Connection c = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS replication_task ("
                        + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                        + " object_id TEXT NOT NULL,"
                        + " replica TEXT NOT NULL,"
                        + " attempts INTEGER NOT NULL DEFAULT 0,"
                        + " not_before_ms INTEGER NOT NULL,"
                        + " last_error TEXT,"
                        + " UNIQUE (object_id, replica))");
                s.execute("CREATE INDEX IF NOT EXISTS replication_task_due ON replication_task (not_before_ms)");
            }
            return new SqliteReplicationQueue(file, c);
        } catch (SQLException | java.io.IOException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already failing
                }
            }
            throw new StoreException("cannot open replication queue " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void enqueue(ObjectId object, String replica) {
        update(
                "enqueue " + object + " for " + replica,
                "INSERT OR IGNORE INTO replication_task (object_id, replica, not_before_ms) VALUES (?, ?, ?)",
                object.hex(),
                replica,
                System.currentTimeMillis());
    }

    @Override
    public List<ReplicationTask> due(Instant now, int limit) {
        return query(
                "SELECT * FROM replication_task WHERE not_before_ms <= ? ORDER BY seq LIMIT ?",
                now.toEpochMilli(),
                limit);
    }

    @Override
    public List<ReplicationTask> pending() {
        return query("SELECT * FROM replication_task ORDER BY seq");
    }

    @Override
    public void complete(ReplicationTask task) {
        update("complete task " + task.seq(), "DELETE FROM replication_task WHERE seq = ?", task.seq());
    }

    @Override
    public void retryLater(ReplicationTask task, Instant notBefore, String error) {
        update(
                "reschedule task " + task.seq(),
                "UPDATE replication_task SET attempts = attempts + 1, not_before_ms = ?, last_error = ? WHERE seq = ?",
                notBefore.toEpochMilli(),
                error,
                task.seq());
    }

    @Override
    public long size() {
        lock.lock();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM replication_task")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failure("count tasks", e);
        } finally {
            lock.unlock();
        }
    }

    private void update(String what, String sql, Object... args) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            lock.unlock();
        }
    }

    private List<ReplicationTask> query(String sql, Object... args) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            bind(ps, args);
            List<ReplicationTask> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ReplicationTask(
                            rs.getLong("seq"),
                            ObjectId.parse(rs.getString("object_id")),
                            rs.getString("replica"),
                            rs.getInt("attempts"),
                            Instant.ofEpochMilli(rs.getLong("not_before_ms")),
                            rs.getString("last_error")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read tasks", e);
        } finally {
            lock.unlock();
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("replication queue " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            db.close();
        } catch (SQLException e) {
            throw failure("close", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SqliteReplicationQueue[" + file + "]";
    }
}
