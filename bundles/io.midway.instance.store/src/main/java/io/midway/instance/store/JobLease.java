package io.midway.instance.store;

/**
 * The lease on the singleton jobs of the instance (heartbeat monitor, lease reaper, failover):
 * held by one node of a database at a time (issue 15 point 4). The embedded engine serves one
 * node, which always holds it ({@link #ALWAYS}); on PostgreSQL a session of its own holds an
 * advisory lock ({@link PostgresJobLease}), freed by the server when that session ends.
 */
public interface JobLease extends AutoCloseable {

    /** The lease of the embedded engine's one node: always held. */
    JobLease ALWAYS = new JobLease() {
        @Override
        public boolean renew() {
            return true;
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public void release() {
            // nothing held
        }

        @Override
        public void close() {
            // nothing held
        }
    };

    /**
     * Takes the lease when it is free, or checks that this node still holds it. Called every second
     * or so by one thread; answers within a few seconds even when the database does not.
     *
     * @return whether this node holds it now
     */
    boolean renew();

    /**
     * @return whether other nodes may compete for the lease (a database server), so that a node
     *     that takes it must wait for a former holder to notice it lost it
     */
    boolean exclusive();

    /** Lets go of the lease (another node may take it at once); a later {@link #renew()} may take it again. */
    void release();

    /** Lets go of the lease for good (the store closes). */
    @Override
    void close();
}
