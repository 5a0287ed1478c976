# Issue 16 item 11: the operator's limits are ceilings. A deployer asking
# for more memory or CPUs than `serve --memory/--cpus` allow is refused,
# naming the ceiling and the role it needs; nothing is created; an admin may.

test_a_deployer_cannot_raise_container_limits_above_the_operators() {
  start_fake_chat
  start_daemon --memory 64 --cpus 1
  new_app_repo web --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main 2>/dev/null
  local answer mem
  answer=$(slack /sandbox "create qa-big web@main --memory 1048576")
  expect_eq "$(code_of "$answer")" 200 "status"
  expect_contains "$(body_of "$answer")" "--memory 1048576 is above the operator's limit of 64 MB"
  expect_contains "$(body_of "$answer")" "needs the admin role; you are a deployer"
  answer=$(slack /sandbox "create qa-big web@main --cpus 4")
  expect_contains "$(body_of "$answer")" "--cpus 4 is above the operator's limit of 1 CPUs"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes")" 0 "sandboxes created"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs")" 0 "jobs queued"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'sandbox.create' AND status = 'refused'")" \
    2 "refusals audited"
  # An admin may go above; the container gets it.
  answer=$(slack /sandbox "create qa-big web@main --memory 128" U0ADMIN)
  expect_contains "$(body_of "$answer")" "creating sandbox qa-big"
  wait_for_status qa-big web running || return 1
  mem=$(engine GET /containers/sandbox-qa-big-web/json | jq .HostConfig.Memory)
  expect_eq "$mem" $((128 * 1024 * 1024)) "the container's memory limit"
  # A deployer cannot copy an admin's limits by cloning.
  answer=$(slack /sandbox "clone qa-big qa-copy")
  expect_contains "$(body_of "$answer")" "qa-big's --memory 128 is above the operator's limit of 64 MB"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'qa-copy'")" 0 "clones created"
}
