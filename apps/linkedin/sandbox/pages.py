"""The HTML the sandbox shows a person: the consent screen and the "something is wrong" page."""

from html import escape
from string import Template

from .config import SCOPE_DESCRIPTIONS

_PAGE = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f4f2ee;
         margin: 0; color: #1d2226; }
  header { background: #fff; padding: 12px 24px; border-bottom: 1px solid #e0dfdc; }
  .logo { color: #0a66c2; font-weight: 700; font-size: 22px; }
  .logo small { color: #666; font-weight: 400; font-size: 13px; margin-left: 8px; }
  main { max-width: 440px; margin: 40px auto; background: #fff; border-radius: 8px;
         padding: 28px 32px; box-shadow: 0 0 0 1px rgba(0,0,0,.08), 0 2px 4px rgba(0,0,0,.08); }
  h1 { font-size: 22px; margin: 0 0 8px; }
  p { line-height: 1.45; }
  ul { padding-left: 20px; } li { margin: 8px 0; }
  code { font-size: 12px; color: #666; }
  .actions { display: flex; gap: 12px; justify-content: flex-end; margin-top: 24px; }
  button { font-size: 16px; font-weight: 600; border-radius: 24px; padding: 8px 24px;
           cursor: pointer; }
  .allow { background: #0a66c2; color: #fff; border: none; }
  .cancel { background: #fff; color: #666; border: 1px solid #666; }
  .error { color: #b24020; }
</style>
</head>
<body>
<header><span class="logo">in<small>LinkedIn sandbox</small></span></header>
<main>
$content
</main>
</body>
</html>
""")


def consent_page(*, app_name, member_name, granted, form_fields) -> str:
    """Allow and Cancel are two forms posting the same request back with a `decision`."""
    scope_items = "\n".join(
        f"<li>{escape(SCOPE_DESCRIPTIONS.get(scope, scope))} <code>{escape(scope)}</code></li>"
        for scope in granted
    )
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in form_fields.items()
    )
    content = f"""
<h1>{escape(app_name)} would like to:</h1>
<p>Signed in as <strong>{escape(member_name)}</strong></p>
<ul class="scopes">
{scope_items}
</ul>
<p>You can stop sharing at any time in your LinkedIn settings.</p>
<div class="actions">
  <form method="post" action="/oauth/v2/authorization">{hidden}
    <button class="cancel" type="submit" name="decision" value="cancel">Cancel</button>
  </form>
  <form method="post" action="/oauth/v2/authorization">{hidden}
    <button class="allow" type="submit" name="decision" value="allow">Allow</button>
  </form>
</div>"""
    return _PAGE.substitute(title=f"Authorize {escape(app_name)} | LinkedIn", content=content)


def error_page(message: str) -> str:
    content = f"""
<h1>Something is not right</h1>
<p class="error">{escape(message)}</p>
<p>The application that sent you here is not set up correctly. Nothing was shared.</p>"""
    return _PAGE.substitute(title="Error | LinkedIn", content=content)
