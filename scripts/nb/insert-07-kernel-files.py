"""Insert the 'kernel's own files' cells into notebook 07 after the CPU % section (cell c18); other cells untouched."""
import sys
import nbformat

path = sys.argv[1] if len(sys.argv) > 1 else "notebooks/07-stats.ipynb"
nb = nbformat.read(path, as_version=4)
ids = [c.get("id") for c in nb.cells]
if "c18k1" in ids:
    sys.exit("already inserted")
at = ids.index("c18") + 1
md1 = nbformat.v4.new_markdown_cell(
    "### Where the engine reads these counters: the kernel's own files\n"
    "\n"
    "None of these numbers is the engine's invention. Linux keeps them for each container's **cgroup** (the\n"
    "kernel's group of the container's processes, the same thing that enforces `--cpus` and `--memory`) and for\n"
    "the whole machine in `/proc/stat`; the network counters belong to the container's network namespace, seen\n"
    "through `/proc/<pid>/net/dev` of its first process. The engine's collector reads these files once a second.\n"
    "When the engine runs on this machine the kit reads them itself (that is the line *read from the kernel's\n"
    "cgroup files* under `lab.stats()` above). Here are the files for `nb07-busy`, each read just now:")
md1["id"] = "c18k1"
code = nbformat.v4.new_code_cell('lab.stats_files("nb07-busy")')
code["id"] = "c18k2"
code.metadata["tags"] = ["nbval-ignore-output"]
md2 = nbformat.v4.new_markdown_cell(
    "Run that cell again: the busy loop's CPU time has grown by about as much as the time that passed (one\n"
    "whole CPU), the machine's in `/proc/stat` by that time times the number of CPUs; CPU % is the ratio of the\n"
    "two growths, the formula above. A terminal shows the same files (`cat` a path from the table, under\n"
    "`/sys/fs/cgroup/`). On Docker Desktop, a remote engine or udocker the files are on another machine or do\n"
    "not exist: the kit says so and asks the Engine API instead.")
md2["id"] = "c18k3"
nb.cells[at:at] = [md1, code, md2]
nbformat.write(nb, path)
print(f"inserted 3 cells after c18 in {path}")
