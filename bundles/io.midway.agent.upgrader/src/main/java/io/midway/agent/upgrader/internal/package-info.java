/** The upgrader's implementation (not exported). */
package io.midway.agent.upgrader.internal;
