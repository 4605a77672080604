/**
 * The instance's service and API tests on a real PostgreSQL server (issue 15: one contract, every
 * engine): each class runs the H2 test of the same name with a store on PostgreSQL. Left out:
 * {@code BatchInsertTest} (it narrows an H2 column by hand to make a late failure) and
 * {@code CredentialHttpTest} (it inspects the H2 files of the data folder).
 */
package io.midway.instance.internal.postgresql;
