package dev.locksafe.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A fresh database on the test server, owned by one test. */
public final class TestDatabase {

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** The database name. */
    public String name() {
        return name;
    }

    /** The server's major version. */
    public int serverMajorVersion() {
        return server.majorVersion();
    }

    /** The JDBC URL, without credentials. */
    public String jdbcUrl() {
        return server.urlFor(name);
    }

    /** The user name. */
    public String user() {
        return server.user();
    }

    /** The password. */
    public String password() {
        return server.password();
    }

    /** A data source for this database. */
    public DataSource dataSource() {
        return dataSource("locksafe-test");
    }

    /** A data source whose connections carry {@code applicationName}. */
    public DataSource dataSource(String applicationName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl());
        ds.setUser(user());
        ds.setPassword(password());
        ds.setApplicationName(applicationName);
        return ds;
    }

    /** A new connection with {@code application_name = locksafe-test}; the caller closes it. */
    public Connection connect() throws SQLException {
        return connect("locksafe-test");
    }

    /** A new connection with the given {@code application_name}; the caller closes it. */
    public Connection connect(String applicationName) throws SQLException {
        Properties p = server.props();
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /** Runs statements on a short-lived connection. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first column of the first row, or {@code null} when there is no row. */
    public String queryString(String sql) {
        List<String> rows = queryColumn(sql);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The first column of the first row as a long. */
    public long queryLong(String sql) {
        return Long.parseLong(queryString(sql));
    }

    /** The first column of every row. */
    public List<String> queryColumn(String sql) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Whether {@code table} has a column {@code column}. */
    public boolean hasColumn(String table, String column) {
        return queryLong("select count(*) from information_schema.columns where table_name = '" + table
                + "' and column_name = '" + column + "'") == 1;
    }

    @Override
    public String toString() {
        return jdbcUrl();
    }
}
