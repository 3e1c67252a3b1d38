package dev.vmaddr.testing.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** One database of a {@link PostgresCluster}, with the credentials of its owner role. */
public record PostgresDatabase(PostgresCluster cluster, String url, String user, String password) {
    /** A plain JDBC connection as the owner, for checks in SQL. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public String toString() {
        return url;
    }
}
