package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code replication_queue} table: the durable to-do list of replicated stores, shared by every
 * lode server on one catalog.
 *
 * <p><b>Claiming.</b> A worker (named by an owner id unique to it) {@link #claim claims} due jobs:
 * it selects candidates whose {@code not_before} has passed and whose lease has lapsed, then takes
 * each with {@code UPDATE … SET lease_owner = me, lease_until = now + lease WHERE key AND
 * lease_until <= now}. The condition is re-checked under the row lock, so of several servers racing
 * for one row exactly one update counts a row and owns it. Only the owner {@link #complete
 * completes} (deletes) or {@link #retryLater reschedules} a job; a worker that dies leaves its lease
 * to lapse and another server takes the job over. Plain SQL, the same on SQLite and PostgreSQL.
 *
 * <p>A job whose lease lapses while its copy still runs may be taken and copied a second time by
 * another worker. Copies go to content-addressed keys and are verified, so a duplicate costs only
 * the transfer; choose a lease longer than the largest copy.
 */
public final class ReplicationCatalog {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final int MAX_ERROR = 1000;

    private final Catalog catalog;

    ReplicationCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Queues {@code object} for {@code replica} in {@code scope}, due at once; returns false when
     * that job is already queued (it is kept as it is, lease and backoff included).
     */
    public boolean enqueue(String scope, ObjectId object, String replica) {
        check("scope", scope);
        check("replica", replica);
        Objects.requireNonNull(object, "object");
        long now = System.currentTimeMillis();
        return catalog.write(c -> {
            // ON CONFLICT DO NOTHING: the same clause in SQLite (3.24+) and PostgreSQL (9.5+).
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO replication_queue (scope, object_id, replica,"
                    + " enqueued_at, attempts, not_before, lease_until) VALUES (?, ?, ?, ?, 0, ?, 0)"
                    + " ON CONFLICT DO NOTHING")) {
                ps.setString(1, scope);
                ps.setString(2, object.hex());
                ps.setString(3, replica);
                ps.setLong(4, now);
                ps.setLong(5, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Claims up to {@code limit} jobs of {@code scope} that are due at {@code now} and not held by a
     * live lease, oldest first, for {@code owner} until {@code now + lease}. Jobs another worker
     * claims at the same moment are skipped, so the result may be shorter than what is due.
     */
    public List<ReplicationJob> claim(String scope, String owner, Instant now, Duration lease, int limit) {
        check("scope", scope);
        check("owner", owner);
        Objects.requireNonNull(now, "now");
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, got " + lease);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        long at = now.toEpochMilli();
        long until = now.plus(lease).toEpochMilli();
        List<ReplicationJob> candidates = catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE scope = ? AND not_before <= ?"
                    + " AND lease_until <= ? ORDER BY enqueued_at, object_id, replica LIMIT ?")) {
                ps.setString(1, scope);
                ps.setLong(2, at);
                ps.setLong(3, at);
                ps.setInt(4, limit);
                return rows(ps);
            }
        });
        if (candidates.isEmpty()) {
            return List.of();
        }
        return catalog.write(c -> {
            List<ReplicationJob> claimed = new ArrayList<>(candidates.size());
            try (PreparedStatement ps = c.prepareStatement("UPDATE replication_queue SET lease_owner = ?,"
                    + " lease_until = ? WHERE scope = ? AND object_id = ? AND replica = ? AND not_before <= ?"
                    + " AND lease_until <= ?")) {
                for (ReplicationJob j : candidates) {
                    ps.setString(1, owner);
                    ps.setLong(2, until);
                    ps.setString(3, scope);
                    ps.setString(4, j.object().hex());
                    ps.setString(5, j.replica());
                    ps.setLong(6, at);
                    ps.setLong(7, at);
                    if (ps.executeUpdate() == 1) {
                        claimed.add(new ReplicationJob(
                                scope,
                                j.object(),
                                j.replica(),
                                j.enqueuedAt(),
                                j.attempts(),
                                j.notBefore(),
                                j.lastError(),
                                owner,
                                Instant.ofEpochMilli(until)));
                    }
                }
            }
            return claimed;
        });
    }

    /** Removes a job its owner finished; returns false when the owner no longer held it. */
    public boolean complete(ReplicationJob job) {
        requireOwned(job);
        return complete(job.scope(), job.object(), job.replica(), job.leaseOwner());
    }

    /**
     * Removes the job for {@code object} and {@code replica} in {@code scope} if {@code owner} holds
     * it; returns false otherwise.
     */
    public boolean complete(String scope, ObjectId object, String replica, String owner) {
        check("owner", owner);
        Objects.requireNonNull(object, "object");
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM replication_queue"
                    + " WHERE scope = ? AND object_id = ? AND replica = ? AND lease_owner = ?")) {
                ps.setString(1, scope);
                ps.setString(2, object.hex());
                ps.setString(3, replica);
                ps.setString(4, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Records a failed attempt by the job's owner, frees the job and makes it due again at {@code
     * notBefore}; returns false when the owner no longer held it.
     */
    public boolean retryLater(ReplicationJob job, Instant notBefore, String error) {
        requireOwned(job);
        return retryLater(job.scope(), job.object(), job.replica(), job.leaseOwner(), notBefore, error);
    }

    /** {@link #retryLater(ReplicationJob, Instant, String)} by the job's key and owner. */
    public boolean retryLater(
            String scope, ObjectId object, String replica, String owner, Instant notBefore, String error) {
        check("owner", owner);
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(notBefore, "notBefore");
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE replication_queue SET attempts = attempts + 1,"
                    + " not_before = ?, last_error = ?, lease_owner = NULL, lease_until = 0"
                    + " WHERE scope = ? AND object_id = ? AND replica = ? AND lease_owner = ?")) {
                ps.setLong(1, notBefore.toEpochMilli());
                if (error == null) {
                    ps.setNull(2, Types.VARCHAR);
                } else {
                    ps.setString(2, error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
                }
                ps.setString(3, scope);
                ps.setString(4, object.hex());
                ps.setString(5, replica);
                ps.setString(6, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Frees every job {@code owner} holds in {@code scope} (a worker shutting down); returns how many. */
    public int release(String scope, String owner) {
        check("scope", scope);
        check("owner", owner);
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE replication_queue SET lease_owner = NULL,"
                    + " lease_until = 0 WHERE scope = ? AND lease_owner = ?")) {
                ps.setString(1, scope);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    /** The scopes that have jobs queued, sorted (a restarted server resumes each of them). */
    public List<String> scopes() {
        return catalog.read(c -> {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT DISTINCT scope FROM replication_queue ORDER BY scope");
                    ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        });
    }

    /** Jobs queued in {@code scope}, due or not, held or not. */
    public long size(String scope) {
        check("scope", scope);
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM replication_queue WHERE scope = ?")) {
                ps.setString(1, scope);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Every job queued in {@code scope}, oldest first (for status and tests). */
    public List<ReplicationJob> pending(String scope) {
        check("scope", scope);
        return catalog.read(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement(SELECT + " WHERE scope = ? ORDER BY enqueued_at, object_id, replica")) {
                ps.setString(1, scope);
                return rows(ps);
            }
        });
    }

    private static final String SELECT = "SELECT scope, object_id, replica, enqueued_at, attempts, not_before,"
            + " last_error, lease_owner, lease_until FROM replication_queue";

    private static List<ReplicationJob> rows(PreparedStatement ps) throws SQLException {
        List<ReplicationJob> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ReplicationJob(
                        rs.getString(1),
                        ObjectId.parse(rs.getString(2)),
                        rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)),
                        rs.getInt(5),
                        Instant.ofEpochMilli(rs.getLong(6)),
                        rs.getString(7),
                        rs.getString(8),
                        Instant.ofEpochMilli(rs.getLong(9))));
            }
        }
        return out;
    }

    private static void requireOwned(ReplicationJob job) {
        Objects.requireNonNull(job, "job");
        if (job.leaseOwner() == null) {
            throw new IllegalArgumentException("replication of " + job.object() + " to " + job.replica() + " in "
                    + job.scope() + " was not claimed; claim() it first");
        }
    }

    private static void check(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("bad replication " + what + " '" + value
                    + "': 1-128 of letters, digits, '.', '_', ':', '/', '-', starting with a letter or digit");
        }
    }
}
