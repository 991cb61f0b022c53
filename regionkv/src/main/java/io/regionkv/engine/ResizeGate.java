package io.regionkv.engine;

/**
 * Keeps read views and map growth apart. LMDB's {@code mdb_env_set_mapsize} unmaps and remaps the file and
 * does not check for open read transactions: a reader inside the old map would fault. So growth waits until
 * every open view is closed, and new views wait while growth runs (growth is preferred, or a steady stream
 * of readers could starve it).
 *
 * <p>Not a lock in the {@code java.util.concurrent} sense: a view may be closed by another thread than the
 * one that opened it (MDB_NOTLS allows handing a read transaction over). The price of preferring growth: a
 * thread must not block on opening a second view while it keeps the first one open.
 */
final class ResizeGate {
    private int readers;
    private boolean growing;

    synchronized void enterRead() {
        boolean interrupted = false;
        while (growing) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        readers++;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void exitRead() {
        if (readers <= 0) {
            throw new IllegalStateException("read view closed twice");
        }
        readers--;
        if (readers == 0) {
            notifyAll();
        }
    }

    /** Runs {@code action} with no read view open and none opening. */
    synchronized void exclusive(Runnable action) {
        growing = true;
        boolean interrupted = false;
        try {
            while (readers > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            action.run();
        } finally {
            growing = false;
            notifyAll();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether growth is waiting for the open views to close (new views wait for it meanwhile). */
    synchronized boolean growthWaiting() {
        return growing;
    }

    synchronized int openReaders() {
        return readers;
    }
}
