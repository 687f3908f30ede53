# %% [markdown]
# # 公交助学与上学距离
#
# 本笔记本回答三个问题：
#
# 1. **孩子们离学校有多远？** 每个村居按小学、初中学龄人口计算到划片学校的距离，有道路数据时沿道路计算，
#    否则按直线计算；按镇街给出距离分布、超出步行距离的人数和就近入学比例。
# 2. **校车（公交助学）线路服务哪些学校、坐多久？** 线路、站点、服务学校和早班车的乘车时间。
# 3. **哪些村居还没有校车覆盖？** 超出步行距离、且附近没有开往其划片学校的校车站点的村居——这就是公交助学下一步要去的地方。
#
# - 划片学校：村居所在镇街内最近的同学段学校（镇街内没有时取全县最近的学校）。
# - 所有数字都先按全县计算，选了镇街时再只显示该镇街的部分：镇街边界附近的村居，最近的学校可能在邻近镇街；
#   一条校车线路可能服务几个镇街的学校。镇街的数字与全县表中该镇街的一行完全相同。
# - 换用本局自己的数据：把参数格中的 `data_dir` 改为数据文件夹或工作簿的路径；`year` 为学年（起始年份）；
#   `township` 填镇街名称（如 `"胡集镇"`）只看一个镇街，`None` 为全县。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成的演示数据；year = None 为最新学年；township = None 为全县
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import access, maps, text

# %% [markdown]
# ## 读取数据

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(scope)

# %% [markdown]
# ## 规划假设
#
# 步行距离上限、到站点的步行距离等取值是规划假设而非国家标准，可在设置（`jxedu.core.settings`）中修改：

# %%
access.assumptions_table(scope)

# %% [markdown]
# ## 关键数字
#
# 两个学段的学龄人口、超出步行距离的人数和占比、就近入学比例和校车覆盖率：

# %%
# NBVAL_CHECK_OUTPUT
print(access.key_figures_table(scope))

# %% [markdown]
# ## 一、校车线路与站点

# %%
access.coverage_rule_note(scope)

# %%
access.route_table(scope)

# %%
access.stop_table(scope)

# %%
# NBVAL_CHECK_OUTPUT
print(access.bus_headline(scope))

# %% [markdown]
# ## 二、乘车时间
#
# 每个站点到其线路所服务学校的乘车时间，取最早的早班车（上午到校的班次）：

# %%
access.ride_time_table(scope)

# %% [markdown]
# 下面的上学距离和校车覆盖按**就近入学（最近学校）**口径（孩子到所在镇街内最近的学校）；布局调整方案的现状按
# **按学位容量分配**口径（学校满了，孩子分到次近、有学位的学校）。两个数字并列：

# %%
access.baselines_table(scope)

# %% [markdown]
# ## 三、上学距离
#
# 按学龄人口加权：平均距离、中位距离（一半学生住在此距离以内）、90% 分位距离，以及超出步行距离的人数和占比。
#
# ### 小学

# %%
access.distance_table(scope, "primary")

# %%
fig = access.distance_chart(scope, "primary")

# %% [markdown]
# ### 初中

# %%
access.distance_table(scope, "junior")

# %%
fig = access.distance_chart(scope, "junior")

# %% [markdown]
# ### 就近入学
#
# 划片学校同时也是最近学校（在全县范围内找，可能在邻近镇街）的学龄人口占比。数据中只有村居的学龄人口、
# 没有每个学生的实际就读学校，所以这是按划片规则估算的比例，反映划片与就近是否一致。

# %%
access.nearby_table(scope, "primary")

# %%
access.nearby_table(scope, "junior")

# %% [markdown]
# ## 四、校车覆盖
#
# 超出步行距离的村居中，附近有站点、且有早班车从该站开往其划片学校的，即为校车覆盖（距离见上面的规划假设）。

# %%
access.coverage_table(scope, "primary")

# %%
access.coverage_table(scope, "junior")

# %%
# NBVAL_CHECK_OUTPUT
print(access.coverage_headline(scope, "primary"))
print(access.coverage_headline(scope, "junior"))

# %% [markdown]
# ## 五、未覆盖的村居：公交助学下一步
#
# 按学龄人口从多到少排列。“最近校车站点”为离村居最近的任一校车站点，供新设站点或延伸线路时参考。
#
# ### 初中

# %%
access.uncovered_table(scope, "junior")

# %% [markdown]
# ### 小学

# %%
access.uncovered_table(scope, "primary")

# %% [markdown]
# ## 六、地图
#
# 校车线路与站点、超出步行距离且未覆盖的村居（紫色，圆点大小表示学龄人口），以及已覆盖的村居（可在图层控制中打开）。

# %%
# NBVAL_IGNORE_OUTPUT
maps.coverage_map(scope, "junior")

# %%
# NBVAL_IGNORE_OUTPUT
maps.coverage_map(scope, "primary")
