// Whether the clinic's server answers (a 503 or a network failure says it does not).
class Connection {
  down = $state(false);
  reachable(ok: boolean) {
    this.down = !ok;
  }
}

export const connection = new Connection();
