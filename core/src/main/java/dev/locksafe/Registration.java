package dev.locksafe;

/** Something registered for the life of an application; closing it removes it again. */
@FunctionalInterface
public interface Registration extends AutoCloseable {

    /** Removes the registration; closing twice does nothing more. */
    @Override
    void close();
}
