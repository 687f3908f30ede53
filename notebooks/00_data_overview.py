# %% [markdown]
# # 数据概览
#
# 本笔记本回答一个问题：**数据里有什么？** 它列出各镇街的学校数、分学段在校生数、班级数和专任教师数，
# 画出各镇街在校生的柱状图，并给出数据检查（`jxedu validate`）的结果。
#
# - 口径：只统计义务教育（小学、初中学段）；十二年一贯制学校和完全中学的高中学段不计入。
# - 换用本局自己的数据：把下面参数格中的 `data_dir` 改为 Excel 工作簿或数据文件夹的路径，
#   `year` 改为学年（起始年份，如 `2024` 表示 2024—2025 学年）；`township` 填镇街名称只看一个镇街。
#   数据格式见 `data/README.md`。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成的演示数据；year = None 使用最新学年；township = None 为全县
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import overview, text

# %% [markdown]
# ## 读取数据
#
# 读取时会统一列名与编码、换算坐标，并删除教师姓名、身份证号等个人信息（不会出现在任何输出中）。

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(a)

# %% [markdown]
# ## 概况
#
# 所选学年义务教育的主要数字。一所九年一贯制学校同时计入“有小学学段”和“有初中学段”，
# 但在“学校”总数中只计一次。

# %%
# NBVAL_CHECK_OUTPUT
print(overview.key_figures(scope))

# %% [markdown]
# ## 各镇街情况
#
# 每行一个镇街（街道在前），全县时最后一行为全县合计；没有学校的镇街显示为 0。

# %%
overview.township_table(scope)

# %%
fig = overview.students_chart(a)

# %% [markdown]
# ## 数据检查
#
# `jxedu.validate`（与命令 `jxedu validate` 相同）逐表、逐行检查数据：**错误**必须改正后才能分析，**警告**请核实。
# 每条问题都写明文件、工作表、行号和列名，可以直接回到 Excel 中修改。

# %%
report = jxedu.validate(a.ds.source)
overview.problems_table(report)

# %%
# NBVAL_CHECK_OUTPUT
print("错误数 (errors):", len(report.errors))

# %% [markdown]
# ## 下一步
#
# 其余分析笔记本（都在 `notebooks/` 中，按编号打开）：
#
# - 01 指标：资源配置七项指标与差异系数
# - 02 学校布局：学校分布与就近入学距离
# - 03 公交助学：校车、公交线路与学生乘车
# - 04 教师交流轮岗
# - 05 班额与预测：大班额与未来学位需求
# - 06 布局方案：布局调整方案比较
