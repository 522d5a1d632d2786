# spreadwatch: find social bots and the sources of misinformation.
# Run `make run` (default synthetic dataset) or, e.g.,
#   snakemake --cores 2 --config datasets='[twitter15,upfd_politifact]'
from snakemake.utils import min_version

min_version("9.0")


configfile: "configs/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/graphs.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/ranking.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/bots_common.smk"
include: "workflow/rules/bots.smk"
include: "workflow/rules/shards.smk"
include: "workflow/rules/runstats.smk"


rule all:
    default_target: True
    input:
        all_outputs(),
        bot_cross_dataset_outputs(),
