# Templates: create one, build sandboxes from it with and without overrides,
# export it to a file, delete it and import the file back; roles and typos.

test_template_sandboxes_export_import() {
  mkdir -p "$DATA"
  # Roles by uid: this user admin, the local user nobody a viewer.
  printf '{"roles": {"admin": ["cli:%s"], "viewer": ["cli:65534"]}}\n' "$(id -u)" \
    >"$DATA/config.json"
  # The gateway's host port comes from --gateway-ports: the top of this run's range.
  local hi=${E2E_PORTS#*-}
  start_daemon --gateway-ports "$((hi - 4))-$hi"
  new_app_repo web --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main 2>/dev/null
  new_app_repo api --auto-branches 'auto/*'
  echo "api feature" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "api feature"
  git -C "$WORK" push -q origin main~1:refs/heads/main HEAD:refs/heads/feature/x 2>/dev/null
  "$SANDBOT" baseline set api https://api-dev.example.com >/dev/null

  out=$("$SANDBOT" template create tplqa web@main api=baseline --gateway web)
  expect_contains "$out" "Template tplqa created"
  expect_contains "$out" "• web@main (gateway)"
  expect_contains "$out" "• api → baseline"
  out=$(as_nobody "$SANDBOT" template create tplv web@main 2>&1) &&
    fail "a viewer created a template"
  expect_contains "$out" "needs the admin role; you are a viewer"
  out=$("$SANDBOT" template create tplqa web@main 2>&1) && fail "created a template twice"
  expect_contains "$out" "template update tplqa"

  # From the template, api overridden to its feature branch.
  out=$("$SANDBOT" sandbox create tpl-a from tplqa api@feature/x --wait)
  expect_contains "$out" "creating sandbox tpl-a from template tplqa"
  expect_contains "$out" "web running"
  expect_contains "$out" "api running"
  status=$("$SANDBOT" sandbox status tpl-a --json)
  expect_eq "$(jq -r '[.services[] | "\(.name)@\(.branch):\(.status)"] | sort | join(" ")' \
    <<<"$status")" "api@feature/x:running web@main:running" "services of tpl-a"
  expect_eq "$(db "SELECT template || ' ' || gateway FROM sandboxes WHERE name = 'tpl-a'")" \
    "tplqa web" "template and gateway of tpl-a"
  url=$(jq -r '.services[] | select(.name == "api") | .url' <<<"$status")
  expect_contains "$(curl -sf "$url/")" "api feature"

  # Without the override, api stays on the baseline.
  out=$("$SANDBOT" sandbox create tpl-b from tplqa --wait)
  expect_contains "$out" "routes: api → baseline, web → sandbox"
  expect_contains "$("$SANDBOT" route list tpl-b)" "api → baseline"
  expect_eq "$("$SANDBOT" sandbox status tpl-b --json | jq -r '[.services[].name] | join(" ")')" \
    "web" "services of tpl-b"
  # api is reached through the sandbox's router, whose table holds the baseline.
  env=$(engine GET /containers/sandbox-tpl-b-web/json | jq -r '.Config.Env[]')
  expect_contains "$env" "API_URL=http://api:8080"
  expect_eq "$(jq -r .api.url "$DATA/work/tpl-b/etc-sandbot/routes.json")" \
    https://api-dev.example.com "api's URL in routes.json"

  # Export to a file, delete, import the file back: the same template.
  "$SANDBOT" template export tplqa >"$TEST_DIR/t.json"
  jq -e '.sandbot_template == 1 and .name == "tplqa" and .gateway == "web" and
         .services.web.branch == "main" and .services.api.route == "baseline"' \
    "$TEST_DIR/t.json" >/dev/null || fail "export: $(cat "$TEST_DIR/t.json")"
  shown=$("$SANDBOT" template show tplqa | grep -v '^ *by ')
  expect_contains "$("$SANDBOT" template delete tplqa)" "template tplqa deleted"
  expect_not_contains "$("$SANDBOT" template list)" "tplqa"
  expect_contains "$("$SANDBOT" template import "$TEST_DIR/t.json")" \
    "Template tplqa created by import"
  expect_eq "$("$SANDBOT" template show tplqa | grep -v '^ *by ')" "$shown" "show after import"
  expect_eq "$("$SANDBOT" template export tplqa)" "$(cat "$TEST_DIR/t.json")" "export after import"
  expect_contains "$("$SANDBOT" template import "$TEST_DIR/t.json")" "replaced by import"

  # A file with anything else in it is refused, naming the field.
  jq '. + {"secrets": {"TOKEN": "x"}}' "$TEST_DIR/t.json" >"$TEST_DIR/bad.json"
  out=$("$SANDBOT" template import "$TEST_DIR/bad.json" 2>&1) && fail "imported unknown fields"
  expect_contains "$out" "unknown field 'secrets'"

  # Update merges: api gets a branch, web is kept.
  out=$("$SANDBOT" template update tplqa api@feature/x)
  expect_contains "$out" "• api@feature/x"
  expect_contains "$out" "• web@main (gateway)"

  # Typos get "did you mean".
  out=$("$SANDBOT" template show tplqaa 2>&1) && fail "showed a missing template"
  expect_contains "$out" "Did you mean 'tplqa'?"
  out=$("$SANDBOT" sandbox create tpl-c from tplq 2>&1) && fail "created from a missing template"
  expect_contains "$out" "Did you mean 'tplqa'?"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'tpl-c'")" 0 "tpl-c rows"
  out=$("$SANDBOT" template create tplx wbe@main 2>&1) && fail "created with an unknown service"
  expect_contains "$out" "Did you mean 'web'?"
}
