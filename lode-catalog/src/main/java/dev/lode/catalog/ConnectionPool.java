package dev.lode.catalog;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of JDBC connections handed out one caller at a time. Written here rather than taken
 * from HikariCP because the catalog needs only a bounded queue and per-connection setup statements;
 * the whole pool is this class.
 */
final class ConnectionPool implements AutoCloseable {
    private static final long BORROW_TIMEOUT_SECONDS = 30;

    private final BlockingQueue<Connection> idle;
    private final List<Connection> all = new ArrayList<>();
    private final String url;

    ConnectionPool(String url, int size, List<String> setup) {
        this.url = url;
        this.idle = new ArrayBlockingQueue<>(size);
        try {
            for (int i = 0; i < size; i++) {
                Connection c = DriverManager.getConnection(url);
                try (Statement st = c.createStatement()) {
                    for (String s : setup) {
                        st.execute(s);
                    }
                }
                all.add(c);
                idle.add(c);
            }
        } catch (SQLException e) {
            close();
            throw new CatalogException("cannot open catalog " + url + ": " + e.getMessage(), e);
        }
    }

    Connection borrow() {
        try {
            Connection c = idle.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (c == null) {
                throw new CatalogException(
                        "no free connection to catalog " + url + " after " + BORROW_TIMEOUT_SECONDS + " s");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CatalogException("interrupted waiting for a connection to catalog " + url, e);
        }
    }

    void release(Connection c) {
        idle.add(c);
    }

    @Override
    public void close() {
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
        all.clear();
    }
}
