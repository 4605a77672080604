/** The agent core's side of upgrading itself in place: when, journal, state, reports. */
package io.midway.agent.internal.upgrade;
