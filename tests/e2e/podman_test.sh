# Podman as the engine: sandbot drives Podman's Docker-compatible API
# (`podman system service`) through the same runtime as dockerd. The test
# starts a Podman service of its own (storage and networks under $TEST_DIR;
# dockerd is not involved) and runs the core path on it: image import, push,
# build, a running sandbox whose URL answers, redeploy, destroy, and nothing
# of the sandbox left in Podman.

# podman_up: a Podman service for this test, the base image imported into
# it, and `engine` and the other helpers pointed at it. Skips (and says why)
# only when Podman cannot run on this machine.
podman_up() {
  # Under E2E_ENGINE=podman, run.sh has started one already.
  if [ ! -f "$TEST_DIR/podman.pid" ]; then
    start_podman || skip "Podman cannot run here: $PODMAN_WHY"
  fi
  DOCKER_SOCK=$PODMAN_SOCK
  "$SANDBOT" image import --docker "unix://$PODMAN_SOCK" "$ROOTFS" sandbot/busybox:latest \
    >"$TEST_DIR/import.out" || { cat "$TEST_DIR/import.out"; fail "image import into Podman"; }
  engine GET /images/sandbot/busybox:latest/json >/dev/null || fail "Podman has no sandbot/busybox"
}

test_podman_push_runs_redeploys_and_destroy_leaves_nothing() {
  podman_up
  start_daemon --docker "unix://$PODMAN_SOCK"
  new_app_repo web
  git -C "$WORK" checkout -qb feature/pod

  out=$(push -o sandbot.wait origin feature/pod)
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  url=$(url_from "$out")
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 1" "page"
  expect_contains "$page" "commit $(git -C "$WORK" rev-parse HEAD)" "page"
  expect_eq "$(service_containers sandbot.sandbox=feature-pod)" sandbox-feature-pod-web
  network_exists sandbox-feature-pod || fail "no network sandbox-feature-pod in Podman"
  # The engine that runs it is Podman, not dockerd.
  expect_contains "$(engine GET /version | jq -r '.Components[].Name')" "Podman Engine"

  echo "version 2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "app v2"
  out=$(push -o sandbot.wait origin feature/pod)
  expect_eq "$(url_from "$out")" "$url" "url after redeploy"
  expect_contains "$(curl -sf "$url/")" "version 2" "page after redeploy"

  out=$(push -o sandbot.wait origin :feature/pod)
  expect_contains "$out" "sandbox feature-pod destroyed"
  # This Podman is the test's own: nothing may be left but its default
  # network ("podman", which its Docker-compatible API calls "bridge").
  expect_eq "$(engine GET '/containers/json?all=1' | jq -r '.[].Names[0]')" "" "containers in Podman"
  ! network_exists sandbox-feature-pod || fail "network sandbox-feature-pod left in Podman"
  expect_eq "$(engine GET /networks | jq -r '[.[].Name] | join(",")')" bridge "networks in Podman"
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 0 "sandboxes"
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url still answers"
}
