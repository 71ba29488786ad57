import cluster from "node:cluster";
import { type AddressInfo, createServer, type Server } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * The app's port on several listening sockets (SO_REUSEPORT), every connection served by the app's
 * one HTTP server.
 *
 * Why: libuv accepts one connection per listening socket per event-loop turn (libuv 1.45, Node 20
 * on: "unix: don't accept() connections in a loop"). A loop that is behind runs turns of tens of
 * milliseconds, so a single socket accepts a few dozen connections a second, exactly when a client
 * opens many (its requests wait longer, so it needs more connections for the same rate). The
 * others wait in the kernel's accept queue with their requests unread, where no admission signal
 * sees them; once the queue (the backlog, 511) is full the kernel drops SYNs and the client retries
 * after 1, 3, 7 s. The kernel spreads new connections over the sockets of a SO_REUSEPORT group, and
 * each socket accepts one per turn: n sockets, n connections per turn.
 *
 * Linux only (elsewhere SO_REUSEPORT does not spread connections, and Node refuses the option) and
 * not in a cluster worker (the primary accepts for it): one socket there.
 */
export class Listeners {
  private readonly app: FastifyInstance;
  private readonly sockets: number;
  private readonly extra: Server[] = [];
  /** Each extra socket's close: resolves once the connections it accepted have ended. */
  private readonly closing: Promise<void>[] = [];

  constructor(app: FastifyInstance, sockets: number) {
    this.app = app;
    this.sockets = process.platform === "linux" && !cluster.isWorker ? sockets : 1;
  }

  /** Listens on every socket; resolves with the port (the one the system chose for port 0). */
  async listen(port: number, host: string): Promise<number> {
    const group = this.sockets > 1;
    await this.app.listen({ port, host, ...(group ? { reusePort: true } : {}) });
    const bound = (this.app.server.address() as AddressInfo).port;
    for (let i = 1; i < this.sockets; i++) {
      // The socket options http.Server accepts its own with: half-open allowed (a client may end its
      // side after the request and still read the answer), TCP_NODELAY.
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
        this.app.server.emit("connection", socket),
      );
      this.extra.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port: bound, host, reusePort: true }, () => {
          server.off("error", reject);
          resolve();
        });
      });
    }
    return bound;
  }

  /**
   * Ties the extra sockets to app.close(), as the app's own: they stop accepting when it begins
   * (preClose), and it resolves only once their connections have ended too (onClose runs after the
   * app's server closed). The app's server closes their idle connections and cuts them with
   * closeAllConnections like its own (http.Server tracks every connection it serves), but waits only
   * for those it accepted itself. Call before the app is ready.
   */
  closeWithApp(): void {
    this.app.addHook("preClose", async () => this.stopAccepting());
    this.app.addHook("onClose", async () => this.connectionsEnded());
  }

  /** Stops accepting on the extra sockets and waits for their connections to end. */
  async close(): Promise<void> {
    this.stopAccepting();
    await this.connectionsEnded();
  }

  private stopAccepting(): void {
    for (const s of this.extra.splice(0))
      this.closing.push(new Promise((resolve) => s.close(() => resolve())));
  }

  private async connectionsEnded(): Promise<void> {
    await Promise.all(this.closing);
  }
}
