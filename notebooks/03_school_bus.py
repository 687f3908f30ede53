# %% [markdown]
# # 公交助学与上学距离
#
# 本笔记本回答三个问题：
#
# 1. **孩子们离学校有多远？** 每个村居按学龄人口（小学 6–11 岁、初中 12–14 岁）计算到划片学校的距离，
#    有道路数据时沿道路计算，否则按直线计算；按镇街给出距离分布和超出步行距离的人数。
# 2. **校车（公交助学）线路服务哪些学校、坐多久？** 线路、站点、服务学校和早班车的乘车时间。
# 3. **哪些村居还没有校车覆盖？** 超出步行距离、且附近没有开往其划片学校的校车站点的村居——这就是公交助学下一步要去的地方。
#
# - 划片学校：村居所在镇街内最近的同学段学校（镇街内没有时取全县最近的学校）。
# - 换用本局自己的数据：把参数格中的 `data_dir` 改为数据文件夹或工作簿的路径；`year` 为学年（起始年份）；
#   `township` 填镇街名称（如 `"胡集镇"`）只看一个镇街，`None` 为全县。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成的演示数据；year = None 为最新学年；township = None 为全县
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import text
from jxedu.analysis import access, bus
from jxedu.present import maps

# %% [markdown]
# ## 读取数据

# %%
ds = jxedu.open_data(data_dir).subset_township(township)
text.synthetic_notice(ds)

# %% [markdown]
# ## 规划假设
#
# 步行距离上限等取值是规划假设而非国家标准，可在设置（`jxedu.core.settings`）中修改：

# %%
bus.assumptions()

# %% [markdown]
# ## 一、校车线路与站点
#
# 每条线路服务的学校：线路的班次在距学校 300 米以内的站点停靠，即视为服务该校。

# %%
route_table = bus.routes(ds, township=township)
bus.table(route_table)

# %%
stop_table = bus.stops(ds, township=township)
bus.table(stop_table)

# %%
# NBVAL_CHECK_OUTPUT
print(f"校车线路 {len(route_table)} 条，站点 {len(stop_table)} 个")

# %% [markdown]
# ## 二、乘车时间
#
# 每个站点到其线路所服务学校的乘车时间，取最早的早班车（上午到校的班次）：

# %%
bus.ride_times(ds, township=township, labels=True)

# %% [markdown]
# ## 三、上学距离
#
# ### 小学
#
# 按学龄人口加权：平均距离、中位距离（一半学生住在此距离以内）、90% 分位距离，以及超出步行距离的人数和占比。

# %%
access_primary = access.village_access(ds, stage="primary", year=year)
access.distance_summary(access_primary, labels=True)

# %%
fig = access.plot_distance_distribution(access_primary)

# %% [markdown]
# ### 初中

# %%
access_junior = access.village_access(ds, stage="junior", year=year)
access.distance_summary(access_junior, labels=True)

# %%
fig = access.plot_distance_distribution(access_junior)

# %% [markdown]
# ### 就近入学
#
# 划片学校同时也是最近学校的学龄人口占比。数据中只有村居的学龄人口、没有每个学生的实际就读学校，
# 所以这是按划片规则估算的比例，反映划片与就近是否一致。

# %%
access.nearby_share(access_primary, labels=True)

# %%
access.nearby_share(access_junior, labels=True)

# %% [markdown]
# ## 四、校车覆盖
#
# 超出步行距离的村居中，若 800 米内有站点、且有早班车从该站开往其划片学校，即为校车覆盖。

# %%
coverage_primary = bus.coverage(ds, stage="primary", year=year, access=access_primary)
bus.coverage_summary(coverage_primary, labels=True)

# %%
coverage_junior = bus.coverage(ds, stage="junior", year=year, access=access_junior)
bus.coverage_summary(coverage_junior, labels=True)

# %%
# NBVAL_CHECK_OUTPUT
print(bus.headline(coverage_primary))
print(bus.headline(coverage_junior))

# %% [markdown]
# ## 五、未覆盖的村居：公交助学下一步
#
# 按学龄人口从多到少排列（前 20 个）。“最近站点”为离村居最近的任一校车站点，供新设站点或延伸线路时参考。
#
# ### 初中

# %%
bus.uncovered_villages(coverage_junior).head(20)

# %% [markdown]
# ### 小学

# %%
bus.uncovered_villages(coverage_primary).head(20)

# %% [markdown]
# ## 六、地图
#
# 校车线路与站点、超出步行距离且未覆盖的村居（红色，圆点大小表示学龄人口），以及已覆盖的村居（可在图层控制中打开）。

# %%
# NBVAL_IGNORE_OUTPUT
maps.coverage_map(ds, coverage_junior, township=township)

# %%
# NBVAL_IGNORE_OUTPUT
maps.coverage_map(ds, coverage_primary, township=township)
