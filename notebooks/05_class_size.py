# %% [markdown]
# # 班额与学位预测
#
# 本笔记本回答三个问题：
#
# 1. 现在各学校、各镇街的班额如何？有多少班级超过班额上限，其中多少是大班额、超大班额？
# 2. 近年来超标班额的变化趋势，以及按班额上限需要多少个班。
# 3. 到预测终止学年各校在校生会有多少？现有教室够不够，哪里需要扩建或新建学校？
#
# 参数：`data_dir` 为数据路径（`None` = 合成演示数据），`year` 为学年（`None` = 最新），
# `township` 为镇街名称（`None` = 全县）。每个数字都在全县范围算一次（`jxedu.assess`）；学位预测也总是基于全县数据
# （学生会跨镇街流动、向县城集中）。选择镇街时只显示该镇街的学校，数字与全县表中该镇街的部分相同。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import classes, text

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(a)

# %% [markdown]
# ## 规则
#
# 班额上限和班额分级取自标准表（`jxedu/data/standards.csv`）。

# %%
classes.rules_note(scope)

# %% [markdown]
# ## 本学年班额概况

# %%
# NBVAL_CHECK_OUTPUT
print(classes.key_figures(scope))

# %% [markdown]
# ## 各镇街班额分布

# %%
classes.township_table(scope)

# %%
fig = classes.size_histogram(scope)

# %% [markdown]
# ## 变化趋势

# %%
fig = classes.trend_chart(scope)

# %%
classes.trend_table(scope)

# %% [markdown]
# ## 有超标班额的学校

# %%
classes.oversize_table(scope)

# %% [markdown]
# ## 按班额上限需要的班级数
#
# 下表只列需要增加班级的年级。

# %%
classes.classes_needed_table(scope)

# %% [markdown]
# ## 学位预测
#
# 预测方法、预测终止学年和三个方案（取自设置）：

# %%
classes.projection_note(scope)

# %%
classes.variants_table(scope)

# %%
classes.rates_table(scope)

# %%
fig = classes.projection_chart(scope)

# %%
classes.projection_table(scope)

# %%
# NBVAL_CHECK_OUTPUT
print(classes.projection_figures(scope))

# %% [markdown]
# ## 教室是否够用
#
# 下面两张表为预测终止学年的情况（方案见表题；设置中有中方案时用中方案）。

# %%
classes.township_needs_table(scope)

# %%
classes.shortfall_table(scope)
