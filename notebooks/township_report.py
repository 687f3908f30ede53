# %% [markdown] tags=["report-skip"]
# # 镇街义务教育优质均衡发展监测报告（笔记本）
#
# 本笔记本生成一个镇街的定期通报。`jxedu reports 数据路径` 对每个镇街执行一次，输出 `reports/<学年>/<镇街>.pdf`；
# 也可以在这里改参数后逐格运行查看。报告的每一节都来自 `jxedu.publish.sections` 中的函数，数字是全县计算结果中
# 属于本镇街的部分，口径与各分析笔记本相同。
#
# 参数：`data_dir` 数据路径（`None` 为合成演示数据），`year` 学年（`None` 为最新学年），`township` 镇街名称。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = "金乡街道"

# %%
from jxedu.publish import sections as rc

scope = rc.open_assessment(data_dir, year=year).scope(township)

# %%
rc.title(scope)

# %%
rc.synthetic_notice(scope)

# %% tags=["report-skip"]
# NBVAL_CHECK_OUTPUT
print(rc.key_figures(scope))

# %%
rc.priorities(scope)

# %%
rc.headline(scope)

# %%
rc.overdue_section(scope)

# %%
rc.schools_section(scope)

# %%
# NBVAL_IGNORE_OUTPUT
rc.layout_figure(scope)

# %%
rc.access_section(scope)

# %%
rc.rotation_section(scope)

# %%
rc.class_size_section(scope)

# %%
# NBVAL_IGNORE_OUTPUT
rc.projection_section(scope)

# %%
rc.plan_tasks_section(scope)

# %%
rc.appendix(scope)
