"""Command line: ``portal build|check|serve|new|synth|forms|import``.

Exit codes:

  0    built / clean
  1    content errors: every one listed with file:line:column; nothing published
  2    usage errors: bad arguments, or an output folder the build refuses to
       replace (the content or project folder, ``/``, home, a folder with
       files it did not make); nothing written
  3    the environment: read-only or full disk, no permission, port in use,
       not enough memory
  4    unexpected: a bug in the tool (any other exception, RecursionError)
  130  interrupted (Ctrl+C)

Everything an editor reads is Chinese, and no Python traceback reaches them:
for codes 3 and 4 one line says what happened and the traceback goes to the
log file (``portal-error.log`` in the cache folder, ``.cache/portal/`` beside
content/ or $PORTAL_CACHE; else the system temp folder), which the line names.
Warnings (files under content/ that are not used) follow the output as
``警告：`` lines on stderr."""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from .errors import ContentErrors, PortalError, environment_problem

LOG_NAME = "portal-error.log"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors -> exit 2, in Chinese
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="portal", description="决算公开静态网站生成器")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    b = sub.add_parser("build", help="从 content/ 生成网站到 site/")
    b.add_argument("--content", default="content", help="内容目录（默认 content）")
    b.add_argument("--out", default="site", help="输出目录（默认 site）")
    b.add_argument("--no-search", action="store_true", help="不生成全文检索索引")
    b.add_argument("--strict", action="store_true",
                   help="正式发布：警告按错误处理，拒绝示例网址、缺少的必填设置和草稿（见 docs/上线检查.md）")
    c = sub.add_parser("check", help="只检查内容，列出错误和勾稽差异")
    c.add_argument("--content", default="content")
    s = sub.add_parser("serve", help="本地预览，保存后自动刷新")
    s.add_argument("--content", default="content")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    n = sub.add_parser("new", help="新建一个部门年度的内容骨架")
    n.add_argument("department", help="部门文件夹名（小写英文、数字、-）")
    n.add_argument("year", type=int)
    n.add_argument("--content", default="content")
    n.add_argument("--name", default="", help="部门名称")
    n.add_argument("--form", default="", help="表式（如 上海2024，或系列名 上海）；不写时用该年度的默认表式")
    y = sub.add_parser("synth", help="生成合成内容（性能测试用，可重复：同样的参数得到同样的文件）")
    y.add_argument("--departments", type=int, required=True, help="部门数")
    y.add_argument("--years", type=int, default=1, help="每个部门的年度数（截至 --last-year）")
    y.add_argument("--out", required=True, help="输出目录（须不存在或为空）")
    y.add_argument("--seed", type=int, default=2024)
    y.add_argument("--last-year", type=int, default=2023)
    sub.add_parser("forms", help="列出可用的表式（决算表格式）及其各表")
    im = sub.add_parser("import", help="从财政部门的 Excel 工作簿（.xlsx）或 PDF 导入一个部门年度（草稿），见 docs/导入.md")
    im.add_argument("file", help="要导入的 .xlsx 或 .pdf 文件")
    im.add_argument("--dept", required=True, help="部门文件夹名（小写英文、数字、-）")
    im.add_argument("--year", type=int, required=True, help="年度")
    im.add_argument("--form", default=None, help="表式（默认按表标题和表头识别；portal forms 列出可用表式）")
    im.add_argument("--content", default="content")
    im.add_argument("--name", default="", help="部门名称（默认取原表“部门：”一行）")
    return p


def _print_forms() -> None:
    """``portal forms``: every form set (表式), its years and its tables."""
    from . import formsets
    sets = sorted(formsets.form_sets().values(), key=lambda f: (not f.default, f.family, f.since))
    print(f"共 {len(sets)} 个表式（格式说明见 docs/design/forms.md）：")
    for fs in sets:
        same = sorted(f.since for f in sets if f.family == fs.family)
        later = [y for y in same if y > fs.since]
        years = f"{fs.since}—{later[0] - 1} 年度" if later else f"{fs.since} 年度起"
        default = "，默认（部门文件未写“表式”时使用）" if fs.default else ""
        print(f"\n表式：{fs.name}（{fs.title}）")
        print(f"  系列：{fs.family}{default}；适用：{years}；文件：{fs.path}")
        print(f"  共 {len(fs.tables)} 张表：")
        for t in fs.tables:
            title = "" if t["title"] == t["id"] else f" {t['title']}"
            print(f"    {t['id']}{title}（{len(t['columns'])} 栏，文件 {t['file']}）")
        for v in fs.variants:
            print(f"    {v['id']} 版式“{v['variant']}”：{v['title']}（{len(v['columns'])} 栏）")


def _print_errors(exc: ContentErrors, command: str) -> None:
    outcome = {"new": "未创建任何文件", "check": "请修改后重新检查"}.get(command, "未生成网站")
    print(f"内容有 {len(exc.errors)} 处错误，{outcome}：", file=sys.stderr)
    for e in exc.errors:
        print(f"  {e}", file=sys.stderr)


def _print_warnings(warnings) -> None:
    for w in warnings or []:
        print(f"警告：{w}", file=sys.stderr)


class _LogHandler(logging.FileHandler):
    failed = False

    def handleError(self, record):  # a full disk must not print logging's own traceback
        self.failed = True


def _log_exception(exc: BaseException, argv: list[str], content: Path) -> Path | None:
    """Append the traceback to the error log; returns its path (None if no
    place was writable)."""
    from .build import default_cache
    logger = logging.getLogger("portal")
    logger.propagate = False
    for path in (default_cache(content) / LOG_NAME, Path(tempfile.gettempdir()) / LOG_NAME):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = _LogHandler(path, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        try:
            logger.error("portal %s", " ".join(argv), exc_info=(type(exc), exc, exc.__traceback__))
        finally:
            logger.removeHandler(handler)
            handler.close()
        if not handler.failed:
            return path.resolve()
    return None


def _where(log: Path | None) -> str:
    return f"（详细信息已记入 {log}）" if log else "（无法写入日志文件）"


def _print_findings(findings) -> None:
    from .audit import report
    for line in report(findings):
        print(line)


def _tool_messages() -> None:
    """Warnings of the tools the build drives (Pagefind) go to stderr as they are."""
    tools = logging.getLogger("portal.search")
    if not tools.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        tools.addHandler(handler)
        tools.propagate = False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    warnings: list = []
    _tool_messages()
    content = Path(getattr(args, "content", "content"))
    unchanged = "网站未更新。" if args.command == "build" else ""
    try:
        return _command(args, warnings)
    except ContentErrors as exc:
        _print_errors(exc, args.command)
        _print_warnings(getattr(exc, "warnings", None) or warnings)
        return 1
    except KeyboardInterrupt:
        print(f"已中断。{unchanged}", file=sys.stderr)
        return 130
    except PortalError as exc:
        if exc.exit_code == 2:
            print(f"用法错误：{exc}", file=sys.stderr)
            return 2
        log = _log_exception(exc, argv, content)
        print(f"{exc}{unchanged}{_where(log)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        log = _log_exception(exc, argv, content)
        print(f"{environment_problem(exc)}{unchanged}{_where(log)}", file=sys.stderr)
        return 3
    except MemoryError as exc:
        log = _log_exception(exc, argv, content)
        print(f"内存不足，无法完成。{unchanged}请关闭其他程序后重试{_where(log)}", file=sys.stderr)
        return 3
    except RecursionError as exc:
        log = _log_exception(exc, argv, content)
        print(f"处理时嵌套层次过深（RecursionError），未能完成。{unchanged}请检查最近修改的内容有没有异常深的嵌套"
              f"（列表、引用等）；如果没有，这是程序缺陷，请把日志文件发给维护人员{_where(log)}", file=sys.stderr)
        return 4
    except Exception as exc:
        log = _log_exception(exc, argv, content)
        print(f"程序内部错误（{type(exc).__name__}），未能完成。{unchanged}这不是内容问题，请报告问题并附上日志文件"
              f"{_where(log)}", file=sys.stderr)
        return 4


def _command(args, warnings: list) -> int:
    if args.command == "check":
        from .build import check
        findings = check(Path(args.content), warnings)
        _print_findings(findings)
        _print_warnings(warnings)
        return 0
    if args.command == "build":
        from .build import build
        result = build(Path(args.content), Path(args.out), search=not args.no_search, strict=args.strict)
        _print_findings(result.findings)
        print(f"已生成 {result.pages} 个页面到 {args.out}/（{result.seconds:.1f} 秒）")
        if result.search and result.search["parts"] > 1:
            s = result.search
            print(f"检索索引分 {s['parts']} 片：重建 {s['built']} 片，沿用 {s['reused']} 片")
        _print_warnings(result.warnings)
        return 0
    if args.command == "serve":
        from .serve import serve
        serve(Path(args.content), args.host, args.port)
        return 0
    if args.command == "synth":
        if args.departments < 1 or args.years < 1:
            _parser().error("--departments 和 --years 须为正整数")
        out = Path(args.out)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            _parser().error(f"输出目录 {out} 已存在且不为空")
        from .synth import synth
        r = synth(out, args.departments, args.years, seed=args.seed, last_year=args.last_year)
        print(f"已生成 {r['department_years']} 个部门年度（{r['files']} 个文件，{r['pages']} 个部门和绩效页面）到 {out}/；"
              f"预埋勾稽差异 {len(r['planted'])} 处")
        return 0
    if args.command == "forms":
        _print_forms()
        return 0
    if args.command == "import":
        from .importer import run_import
        return run_import(args.file, args.dept, args.year, args.form, args.content, args.name)
    if args.command == "new":
        from .scaffold import new_department
        written = new_department(Path(args.content), args.department, args.year, args.name, args.form)
        for p in written:
            print(f"已创建 {p}")
        return 0
    return 2
