/*
 * pause: the sandbox ("infra") container of every pod, as in registry.k8s.io/pause.
 * It holds the pod's namespaces open: sleeps until SIGINT or SIGTERM (then exits 0) and,
 * as PID 1 of a shared PID namespace, reaps every child that is handed to it.
 * Built static (gcc -Os -static) by build-images.sh, so the image needs no libc.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_down(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction down = {0}, child = {0};
  down.sa_handler = on_down;
  child.sa_handler = on_child;
  child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigemptyset(&down.sa_mask);
  sigemptyset(&child.sa_mask);
  if (sigaction(SIGINT, &down, NULL) != 0 || sigaction(SIGTERM, &down, NULL) != 0 ||
      sigaction(SIGCHLD, &child, NULL) != 0) {
    return 1;
  }
  for (;;) pause();
}
