# %% [markdown] tags=["report-skip"]
# # 全县义务教育优质均衡发展监测报告（笔记本）
#
# 本笔记本生成全县汇总的定期通报。`jxedu reports 数据路径` 在生成各镇街报告的同时执行它，输出 `reports/<学年>/全县.pdf`；
# 也可以在这里改参数后逐格运行查看。报告的每一节都来自 `jxedu.publish.sections` 中的函数。
#
# 参数：`data_dir` 数据路径（`None` 为合成演示数据），`year` 学年（`None` 为最新学年）。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None

# %%
from jxedu.publish import sections as rc

a = rc.open_assessment(data_dir, year=year)

# %%
rc.title(a)

# %%
rc.synthetic_notice(a)

# %% tags=["report-skip"]
# NBVAL_CHECK_OUTPUT
print(rc.key_figures(a))

# %%
rc.priorities(a)

# %%
rc.headline(a)

# %%
rc.overdue_section(a)

# %%
rc.cv_section(a)

# %%
rc.schools_section(a)

# %%
# NBVAL_IGNORE_OUTPUT
rc.layout_figure(a)

# %%
rc.access_section(a)

# %%
rc.rotation_section(a)

# %%
rc.class_size_section(a)

# %%
# NBVAL_IGNORE_OUTPUT
rc.projection_section(a)

# %%
rc.plan_tasks_section(a)

# %%
rc.evidence_section(a)

# %%
rc.appendix(a)
