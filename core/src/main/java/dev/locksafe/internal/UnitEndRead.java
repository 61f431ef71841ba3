package dev.locksafe.internal;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A read the engine makes at the end of each successful unit inside a transaction, in the round trip
 * that restores the unit's timeouts: for a listener of the engine that needs the transaction's state
 * right after the unit (the ZDD check reads which relations the migration locked) without a round trip
 * of its own. The engine recognises it among its listeners.
 */
public interface UnitEndRead {

    /** A query without parameters, sent after the restore. */
    String sql();

    /** The query's rows, read before the unit's result is returned. */
    void read(ResultSet rows) throws SQLException;
}
