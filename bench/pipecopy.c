/* bench/pipecopy SERVER [ARG...] — the ceiling for rcptfilter's own cost:
 * run the server on two pipes, as rcptfilter does, and copy both ways with
 * the same 64 KiB buffer, looking at nothing. Blocking writes, one poll per
 * read; the client's EOF closes the server's input; the server's EOF ends
 * the copy, then its exit is waited for. Not a product: no timeouts, no
 * care for a peer that stops reading.
 *
 * bench/pipecopy -n SERVER [ARG...] — the floor under that: fork the server
 * on this process's own stdin and stdout, wait for it, exit. What one more
 * process in the chain costs, with nothing relayed. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static int put(int fd, const char *s, ssize_t n)
{
  while (n > 0) {
    ssize_t w = write(fd, s, (size_t)n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    s += w;
    n -= w;
  }
  return 0;
}

int main(int argc, char **argv)
{
  int in[2], out[2], status = 0;
  struct pollfd p[2];
  pid_t pid;
  if (argc > 2 && argv[1][0] == '-' && argv[1][1] == 'n' && !argv[1][2]) {
    pid = fork();
    if (pid == -1) return 111;
    if (!pid) { execvp(argv[2], argv + 2); _exit(111); }
    while (waitpid(pid, &status, 0) == -1 && errno == EINTR) ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 111;
  }
  if (argc < 2 || pipe(in) == -1 || pipe(out) == -1) return 111;
  signal(SIGPIPE, SIG_IGN);
  pid = fork();
  if (pid == -1) return 111;
  if (!pid) {
    if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1) _exit(111);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[1], argv + 1);
    _exit(111);
  }
  close(in[0]);
  close(out[1]);
  p[0].fd = 0; p[0].events = POLLIN;
  p[1].fd = out[0]; p[1].events = POLLIN;
  for (;;) {
    ssize_t n;
    if (poll(p, 2, -1) < 0) { if (errno == EINTR) continue; break; }
    if (p[0].revents) {
      n = read(0, buf, sizeof buf);
      if (n <= 0 || put(in[1], buf, n) < 0) { close(in[1]); p[0].fd = -1; }
    }
    if (p[1].revents) {
      n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      if (put(1, buf, n) < 0) break;
    }
  }
  close(in[1]);
  close(out[0]);
  while (waitpid(pid, &status, 0) == -1 && errno == EINTR) ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 111;
}
