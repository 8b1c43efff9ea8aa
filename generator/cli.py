"""Command line: ``portal build|check|serve|new``.

Exit codes: 0 built/clean, 1 content errors, 2 usage errors. Everything an
editor reads is Chinese, and no Python traceback reaches them for content
problems."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ContentErrors


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
    y = sub.add_parser("synth", help="生成合成内容（性能测试用，可重复：同样的参数得到同样的文件）")
    y.add_argument("--departments", type=int, required=True, help="部门数")
    y.add_argument("--years", type=int, default=1, help="每个部门的年度数（截至 --last-year）")
    y.add_argument("--out", required=True, help="输出目录（须不存在或为空）")
    y.add_argument("--seed", type=int, default=2024)
    y.add_argument("--last-year", type=int, default=2023)
    return p


def _print_errors(exc: ContentErrors) -> None:
    print(f"内容有 {len(exc.errors)} 处错误，未生成网站：", file=sys.stderr)
    for e in exc.errors:
        print(f"  {e}", file=sys.stderr)


def _print_findings(findings) -> None:
    real = [f for f in findings if not f.rounding]
    print(f"勾稽检查：{len(findings)} 处差异（不一致 {len(real)}，尾差 {len(findings) - len(real)}）")
    for f in findings:
        print(f"  [{f.severity}] {f}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        if args.command == "check":
            from .build import check
            findings = check(Path(args.content))
            _print_findings(findings)
            return 0
        if args.command == "build":
            from .build import build
            result = build(Path(args.content), Path(args.out), search=not args.no_search)
            _print_findings(result.findings)
            print(f"已生成 {result.pages} 个页面到 {args.out}/（{result.seconds:.1f} 秒）")
            if result.search and result.search["parts"] > 1:
                s = result.search
                print(f"检索索引分 {s['parts']} 片：重建 {s['built']} 片，沿用 {s['reused']} 片")
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
        if args.command == "new":
            from .scaffold import new_department
            written = new_department(Path(args.content), args.department, args.year, args.name)
            for p in written:
                print(f"已创建 {p}")
            return 0
    except ContentErrors as exc:
        _print_errors(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2
