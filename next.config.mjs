/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // pg and bcryptjs stay as plain Node requires on the server instead of being bundled.
  serverExternalPackages: ["pg", "bcryptjs"],
};

export default nextConfig;
